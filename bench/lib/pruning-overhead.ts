/**
 * The per-report and per-checkpoint overhead of bench/pruning.ts, on the fs and level stores
 * (durable defaults), side by side with the raw durable write of the same bytes:
 *
 * - report: a trial calls `ctx.report` 1,000 times without a checkpoint; ms per report is the
 *   loop's time / 1,000, the median over trials 2..`REPORT_TRIALS` (the first warms the JIT).
 *   Target ≤ 0.05 ms.
 * - checkpoint: a trial reports and then `await ctx.checkpoint(state)` 100 times, `state` a
 *   1 KB and a 100 KB `Uint8Array`; after each checkpoint, one raw durable write of the bytes
 *   the store was given (fs: temp file, write, fdatasync, rename, fsync of the directory; level: one
 *   `put` with `sync: true` on a separate database), interleaved so drift in the machine's load
 *   hits both alike. Medians of the 100. Target: ≤ 1 raw durable write per checkpoint.
 *
 * Needs stores with `capabilities.trialProgress`; a store without it is skipped with a note.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { float, space, startSession, type CheckpointStore } from '@cairn/core'
import { randomSearch } from '@cairn/optimizers'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { openRawLevel, rawFsWrite, type RawWrite } from './raw-writes.js'
import { median } from './stats.js'

const REPORTS = 1_000
const REPORT_TRIALS = 6
const CHECKPOINTS = 100
/** State sizes of the checkpoint runs (bytes). */
export const CHECKPOINT_SIZES = [1_024, 102_400] as const

/** The checkpoint figures of one state size. */
export interface CheckpointFigures {
  stateBytes: number
  /** Median bytes the store was given per save (header, curve so far, state). */
  savedBytes: number
  /** Median ms of `await ctx.checkpoint(state)`. */
  msPerCheckpoint: number
  /** Median ms of the store's `saveTrialProgress` alone. */
  msPerStoreSave: number
  /** Median ms of one raw durable write of `savedBytes`. */
  msPerRawWrite: number
  /** msPerCheckpoint / msPerRawWrite (target ≤ 1). */
  rawWrites: number
}

/** The overhead figures of one store. */
export interface StoreOverhead {
  store: 'fs' | 'level'
  /** Median ms per `ctx.report` (1,000 reports, no checkpoint). */
  msPerReport: number
  checkpoints: CheckpointFigures[]
}

const benchSpace = space({ x: float(0, 1) })

/** `store`, with the bytes and duration of each `saveTrialProgress` recorded. */
function timedSaves(store: CheckpointStore): { store: CheckpointStore; saves: { bytes: number; ms: number }[] } {
  const saves: { bytes: number; ms: number }[] = []
  const proxy = new Proxy(store, {
    get(target, prop) {
      if (prop === 'saveTrialProgress' && target.saveTrialProgress) {
        const save = target.saveTrialProgress.bind(target)
        return async (sessionId: string, trialIdx: number, token: number, bytes: Uint8Array) => {
          const t0 = performance.now()
          await save(sessionId, trialIdx, token, bytes)
          saves.push({ bytes: bytes.length, ms: performance.now() - t0 })
        }
      }
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { store: proxy, saves }
}

async function reportFigure(store: CheckpointStore, sessionId: string): Promise<number> {
  const perTrial: number[] = []
  const handle = await startSession({
    store,
    sessionId,
    optimizer: randomSearch(),
    space: benchSpace,
    seed: 1,
    maxTrials: REPORT_TRIALS,
    objective: (c: { x: number }, ctx) => {
      const t0 = performance.now()
      for (let i = 0; i < REPORTS; i++) ctx.report(i, c.x + 1 / (i + 1))
      perTrial.push((performance.now() - t0) / REPORTS)
      return c.x
    },
  })
  await handle.wait()
  return median(perTrial.slice(1))
}

async function checkpointFigures(store: CheckpointStore, sessionId: string, size: number, raw: RawWrite): Promise<CheckpointFigures> {
  const timed = timedSaves(store)
  const checkpointMs: number[] = []
  const rawMs: number[] = []
  const state = new Uint8Array(size).map((_, i) => (i * 31) & 0xff)
  const handle = await startSession({
    store: timed.store,
    sessionId,
    optimizer: randomSearch(),
    space: benchSpace,
    seed: 1,
    maxTrials: 1,
    objective: async (c: { x: number }, ctx) => {
      for (let i = 0; i < CHECKPOINTS; i++) {
        ctx.report(i, c.x + 1 / (i + 1))
        let t0 = performance.now()
        await ctx.checkpoint(state)
        checkpointMs.push(performance.now() - t0)
        const bytes = new Uint8Array(timed.saves.at(-1)?.bytes ?? size)
        t0 = performance.now()
        await raw(bytes)
        rawMs.push(performance.now() - t0)
      }
      return c.x
    },
  })
  const result = await handle.wait()
  if (result.progress.errors > 0) throw new Error(`bench pruning: the checkpoint trial failed on ${sessionId}`)
  const msPerCheckpoint = median(checkpointMs)
  const msPerRawWrite = median(rawMs)
  return {
    stateBytes: size,
    savedBytes: median(timed.saves.map((s) => s.bytes)),
    msPerCheckpoint,
    msPerStoreSave: median(timed.saves.map((s) => s.ms)),
    msPerRawWrite,
    rawWrites: msPerCheckpoint / msPerRawWrite,
  }
}

/** Runs the overhead figures on fs and level; returns a note instead for a store without `trialProgress`. */
export async function runOverhead(): Promise<{ stores: StoreOverhead[]; notes: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-pruning-'))
  const stores: StoreOverhead[] = []
  const notes: string[] = []
  try {
    const fs = createFsStore({ dir: join(dir, 'fs') })
    const level = createLevelStore({ location: join(dir, 'level') })
    const rawLevel = await openRawLevel(join(dir, 'raw-level'))
    const sides = [
      { name: 'fs' as const, store: fs as CheckpointStore, raw: rawFsWrite(dir) },
      { name: 'level' as const, store: level as CheckpointStore, raw: rawLevel.write },
    ]
    for (const side of sides) {
      if (!side.store.capabilities.trialProgress) {
        notes.push(`${side.name}: no capabilities.trialProgress on this branch; its overhead was not measured`)
        continue
      }
      const msPerReport = await reportFigure(side.store, `${side.name}-report`)
      const checkpoints: CheckpointFigures[] = []
      for (const size of CHECKPOINT_SIZES)
        checkpoints.push(await checkpointFigures(side.store, `${side.name}-ckpt-${size}`, size, side.raw))
      stores.push({ store: side.name, msPerReport, checkpoints })
    }
    await rawLevel.close()
    await fs.close()
    await level.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return { stores, notes }
}
