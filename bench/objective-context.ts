/**
 * Benchmark of the objective context's intermediate values and trial checkpoints (issue 14).
 *
 * - `ctx.report(step, value)`: µs per call (in memory, never flushed), median of rounds of
 *   100,000 reports inside a real session's trial;
 * - `await ctx.checkpoint(state)` of a ~1 KB JSON state, with the curve so far (50 steps): µs per
 *   call, on each store that declares `capabilities.trialProgress` (memory, and fs and level
 *   once their trial progress lands; a store without it is listed as n/a), beside one raw durable
 *   write of the same bytes (fs: write + fsync of a temp file, then rename; level: a put with
 *   `sync: true`).
 *
 * Targets: ≤ 0.05 ms per report; ≤ one raw durable write per checkpoint.
 *
 * Standalone: `node --conditions=@cairn/source --import tsx bench/objective-context.ts`.
 * `pnpm bench objective-context` imports `run()` (not in plain `pnpm bench`'s list).
 */
import { open, mkdtemp, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { askTell, createMemoryStore, startSession, type CheckpointStore, type Json, type ObjectiveContext } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { median, printTable, round, type Row } from './lib/stats.js'

const REPORT_ROUNDS = 7
const REPORTS_PER_ROUND = 100_000
const CHECKPOINTS = 50
const STATE: Json = { epoch: 0, weights: Array.from({ length: 100 }, (_, i) => Math.sin(i)) }

const requireFromLevel = createRequire(fileURLToPath(new URL('../packages/store-level/package.json', import.meta.url)))
const { Level } = requireFromLevel('level') as {
  Level: new (
    location: string,
    options: object,
  ) => {
    open(): Promise<void>
    put(k: string, v: Uint8Array, o: { sync: boolean }): Promise<void>
    close(): Promise<void>
  }
}

const optimizer = askTell({
  id: 'bench/uniform',
  stateVersion: 1,
  init: () => ({}),
  ask: (state, ctx) => ({ kind: 'candidate', state, candidate: { x: ctx.rng.uniform(0, 1) } }),
  encodeState: () => new Uint8Array(),
  decodeState: () => ({}),
})

/** Runs `body` as the objective of a one-trial session on `store`. */
async function inTrial(store: CheckpointStore, body: (ctx: ObjectiveContext) => Promise<void>): Promise<void> {
  let failure: unknown
  const h = await startSession({
    store,
    optimizer,
    maxTrials: 1,
    objective: async (_c, ctx) => {
      try {
        await body(ctx)
      } catch (err) {
        failure = err
      }
      return 1
    },
  })
  await h.wait()
  if (failure) throw failure
}

async function reportUs(): Promise<number> {
  const rounds: number[] = []
  const store = createMemoryStore()
  for (let r = 0; r < REPORT_ROUNDS; r++) {
    await inTrial(store, async (ctx) => {
      const t0 = performance.now()
      for (let i = 0; i < REPORTS_PER_ROUND; i++) ctx.report(i, i * 0.5)
      rounds.push(((performance.now() - t0) * 1000) / REPORTS_PER_ROUND)
    })
  }
  return median(rounds)
}

/** Median µs of a checkpoint (after its report), or null when the store keeps no trial progress. */
async function checkpointUs(store: CheckpointStore): Promise<{ us: number; bytes: number } | null> {
  if (store.capabilities.trialProgress !== true) return null
  const times: number[] = []
  let bytes = 0
  const save = store.saveTrialProgress?.bind(store)
  // The store itself, with the size of each save noted (methods bound to it, as a wrapper must).
  const counting = new Proxy(store, {
    get(target, prop) {
      if (prop === 'saveTrialProgress')
        return async (id: string, idx: number, token: number, b: Uint8Array) => {
          bytes = b.length
          return save?.(id, idx, token, b)
        }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  await inTrial(counting, async (ctx) => {
    for (let i = 0; i < CHECKPOINTS; i++) {
      ctx.report(i, 1 / (i + 1))
      const t0 = performance.now()
      await ctx.checkpoint({ ...(STATE as object), epoch: i + 1 })
      times.push((performance.now() - t0) * 1000)
    }
  })
  return { us: median(times), bytes }
}

async function rawFsWriteUs(dir: string, bytes: number): Promise<number> {
  const data = new Uint8Array(bytes).fill(7)
  const times: number[] = []
  for (let i = 0; i < CHECKPOINTS; i++) {
    const t0 = performance.now()
    const tmp = join(dir, `raw.${i}.tmp`)
    const fh = await open(tmp, 'w')
    await fh.write(data)
    await fh.sync()
    await fh.close()
    await rename(tmp, join(dir, 'raw'))
    times.push((performance.now() - t0) * 1000)
  }
  return median(times)
}

async function rawLevelPutUs(location: string, bytes: number): Promise<number> {
  const db = new Level(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  const data = new Uint8Array(bytes).fill(7)
  const times: number[] = []
  for (let i = 0; i < CHECKPOINTS; i++) {
    const t0 = performance.now()
    await db.put('raw', data, { sync: true })
    times.push((performance.now() - t0) * 1000)
  }
  await db.close()
  return median(times)
}

export const title = 'objective context: report and checkpoint cost (µs, medians)'

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-progress-'))
  try {
    const report = await reportUs()
    const memory = await checkpointUs(createMemoryStore())
    const fs = createFsStore({ dir: join(dir, 'fs') })
    const fsCheckpoint = await checkpointUs(fs)
    await fs.close()
    const level = createLevelStore({ location: join(dir, 'level') })
    const levelCheckpoint = await checkpointUs(level)
    await level.close()
    const bytes = memory?.bytes ?? 0
    const rawFs = await rawFsWriteUs(dir, bytes)
    const rawLevel = await rawLevelPutUs(join(dir, 'raw-level'), bytes)
    return {
      reportUs: round(report, 4),
      checkpointBytes: bytes,
      memoryCheckpointUs: memory ? round(memory.us) : null,
      fsCheckpointUs: fsCheckpoint ? round(fsCheckpoint.us) : null,
      fsRawDurableWriteUs: round(rawFs),
      fsRatioToRaw: fsCheckpoint ? round(fsCheckpoint.us / rawFs) : null,
      levelCheckpointUs: levelCheckpoint ? round(levelCheckpoint.us) : null,
      levelRawDurablePutUs: round(rawLevel),
      levelRatioToRaw: levelCheckpoint ? round(levelCheckpoint.us / rawLevel) : null,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function table(r: Record<string, unknown>): Row[] {
  const na = (v: unknown): string | number => (typeof v === 'number' ? v : 'n/a (no trialProgress)')
  return [
    { what: 'ctx.report (in memory)', us: na(r['reportUs']), target: '≤ 50' },
    { what: 'checkpoint, memory store', us: na(r['memoryCheckpointUs']), target: '-' },
    { what: 'checkpoint, fs store', us: na(r['fsCheckpointUs']), target: `≤ raw write ${r['fsRawDurableWriteUs']}` },
    { what: 'checkpoint, level store', us: na(r['levelCheckpointUs']), target: `≤ raw put ${r['levelRawDurablePutUs']}` },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run()
  console.log(JSON.stringify(result, null, 2))
  printTable(title, table(result))
}
