/**
 * Per-trial overhead of the session driver + a commit, with a trivial synchronous objective:
 * on the memory store (the driver alone, its yield to the event loop before every trial
 * included; target ≤ 0.1 ms) and durably on the filesystem and LevelDB stores, at 100 and at
 * 10,000 prior trials; beside one raw durable fs write of the same bytes and Optuna 3.1's
 * InMemoryStorage, JournalFileStorage and SQLite RDBStorage on the same work (a random sampler
 * over one float and one int). Each store first drives a throwaway 2,000-trial session so the
 * JIT has optimized the commit path before timing starts (Optuna's CPython has no JIT to
 * warm); the memory figures are medians of 7 windows.
 *
 *   node --conditions=@cairn/source --import tsx bench/core.ts
 */
import diagnostics from 'node:diagnostics_channel'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  CHANNEL_NAMES,
  createMemoryStore,
  float,
  int,
  resumeSession,
  space,
  startSession,
  type CheckpointStore,
  type SessionHandle,
} from '@cairn/core'
import { encodeHead, encodeTrial } from '@cairn/core/store-kit'
import { randomSearch } from '@cairn/optimizers'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { median, printTable, round, type Row } from './lib/stats.js'
import { optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { rawFsWrite } from './lib/raw-writes.js'

const WINDOW = 100
const FAR = 10_000
/** The most the driver may cost per trial on the memory store (it yields to the event loop before every trial). */
const MEMORY_TARGET_MS = 0.1
const benchSpace = space({ x: float(-5, 10), n: int(0, 9) })
const objective = (c: { x: number; n: number }): number => c.x * c.x + c.n

/** Milliseconds between consecutive checkpoints of trials [from, from + WINDOW). */
async function timeWindow(drive: () => Promise<void>, from: number): Promise<number> {
  const stamps = new Map<number, number>()
  const onCheckpoint = (msg: unknown): void => {
    const { progress } = msg as { progress: { attempts: number } }
    stamps.set(progress.attempts, performance.now())
  }
  diagnostics.subscribe(CHANNEL_NAMES.sessionCheckpoint, onCheckpoint)
  try {
    await drive()
  } finally {
    diagnostics.unsubscribe(CHANNEL_NAMES.sessionCheckpoint, onCheckpoint)
  }
  const durations: number[] = []
  for (let a = from + 1; a <= from + WINDOW; a++) {
    const t1 = stamps.get(a)
    const t0 = stamps.get(a - 1)
    if (t0 !== undefined && t1 !== undefined) durations.push(t1 - t0)
  }
  return median(durations)
}

/** Drives session `sessionId` (starting it when new) until it holds `until` trials, then pauses it. */
async function driveTo(store: CheckpointStore, sessionId: string, until: number, isNew: boolean): Promise<void> {
  let handle: SessionHandle | undefined
  const stopAt = (c: { x: number; n: number }, ctx: { trialIdx: number }): number => {
    if (ctx.trialIdx === until - 1) void handle?.pause()
    return objective(c)
  }
  handle = isNew
    ? await startSession({ store, sessionId, optimizer: randomSearch(), space: benchSpace, objective: stopAt, seed: 1 })
    : await resumeSession(store, sessionId, { optimizer: randomSearch(), objective: stopAt })
  const r = await handle.wait()
  if (r.progress.attempts !== until) throw new Error(`expected ${until} trials, got ${r.progress.attempts}`)
}

/**
 * Runs a throwaway session first, so the JIT has optimized the driver and commit path before
 * anything is timed: "at 100" is the cost with 100 trials of history, not of a cold process.
 */
async function warmUp(store: CheckpointStore): Promise<void> {
  await driveTo(store, 'warm-up', 2000, true)
}

/** Fresh sessions (and windows) the memory figures take the median of: one window is ~10 ms, so noise from a loaded machine would otherwise decide the figure. */
const MEMORY_REPEATS = 7

async function memoryFigures(): Promise<{ at100: number; at10k: number }> {
  const store = createMemoryStore()
  await warmUp(store)
  const near: number[] = []
  for (let r = 0; r < MEMORY_REPEATS; r++) near.push(await timeWindow(() => driveTo(store, `mem-${r}`, WINDOW * 2, true), WINDOW))
  await driveTo(store, 'mem', FAR, true)
  const far: number[] = []
  for (let r = 0; r < MEMORY_REPEATS; r++) {
    const from = FAR + r * WINDOW
    far.push(await timeWindow(() => driveTo(store, 'mem', from + WINDOW, false), from))
  }
  return { at100: median(near), at10k: median(far) }
}

async function fsFigures(dir: string): Promise<{ at100: number; at10k: number; headBytes: number; trialBytes: number }> {
  const durable = createFsStore({ dir })
  await warmUp(durable)
  const at100 = await timeWindow(() => driveTo(durable, 'fs', WINDOW * 2, true), WINDOW)
  // Fill up to 10,000 trials quickly (atomic but not fsynced), then measure durable commits again.
  const fast = createFsStore({ dir, durable: false })
  await driveTo(fast, 'fs', FAR, false)
  await fast.close()
  const at10k = await timeWindow(() => driveTo(durable, 'fs', FAR + WINDOW, false), FAR)
  const head = await durable.load('fs')
  const [trial] = await durable.readTrials('fs', { from: 150, limit: 1 })
  await durable.close()
  return { at100, at10k, headBytes: encodeHead(head).length, trialBytes: trial ? encodeTrial(trial).length : 0 }
}

async function levelFigures(location: string): Promise<{ at100: number; at10k: number }> {
  const durable = createLevelStore({ location })
  await warmUp(durable)
  const at100 = await timeWindow(() => driveTo(durable, 'level', WINDOW * 2, true), WINDOW)
  await durable.close()
  const fast = createLevelStore({ location, sync: false })
  await driveTo(fast, 'level', FAR, false)
  await fast.close()
  const again = createLevelStore({ location })
  const at10k = await timeWindow(() => driveTo(again, 'level', FAR + WINDOW, false), FAR)
  await again.close()
  return { at100, at10k }
}

/** Median ms of one atomic durable write of `bytes` (see `rawFsWrite`). */
async function rawDurableWrite(dir: string, bytes: Uint8Array, iterations = 200): Promise<number> {
  const write = rawFsWrite(dir)
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now()
    await write(bytes)
    times.push(performance.now() - t0)
  }
  return median(times)
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-core-'))
  try {
    const memory = await memoryFigures()
    const fs = await fsFigures(join(dir, 'store'))
    const level = await levelFigures(join(dir, 'level'))
    const raw = await rawDurableWrite(dir, new Uint8Array(fs.headBytes + fs.trialBytes))
    let optuna: { at100: number; at1000: number } | null = null
    let optunaSqlite: { at100: number } | null = null
    let optunaMemory: { at100: number; at1000: number } | null = null
    if (await optunaAvailable()) {
      const m = await runOptunaScript('storage.py', ['memory', '1100', '--windows', '100,1000'])
      optunaMemory = { at100: m.windows['100'], at1000: m.windows['1000'] }
      const r = await runOptunaScript('storage.py', ['journal', '1100', '--windows', '100,1000'])
      optuna = { at100: r.windows['100'], at1000: r.windows['1000'] }
      const q = await runOptunaScript('storage.py', ['sqlite', '200', '--windows', '100'])
      optunaSqlite = { at100: q.windows['100'] }
    }
    const result = {
      unit: 'ms per trial (median of 100 consecutive trials)',
      memory: {
        at100: round(memory.at100, 4),
        at10k: round(memory.at10k, 4),
        growth: round(memory.at10k / memory.at100, 2),
        targetMs: MEMORY_TARGET_MS,
        withinTarget: Math.max(memory.at100, memory.at10k) <= MEMORY_TARGET_MS,
      },
      fs: {
        at100: round(fs.at100),
        at10k: round(fs.at10k),
        growth: round(fs.at10k / fs.at100, 2),
        bytesPerCommit: fs.headBytes + fs.trialBytes,
      },
      level: { at100: round(level.at100), at10k: round(level.at10k), growth: round(level.at10k / level.at100, 2) },
      rawDurableWrite: round(raw),
      fsVsRaw: round(fs.at10k / raw, 2),
      optunaMemory,
      optunaJournal: optuna,
      optunaSqlite,
      memorySpeedupVsOptunaMemoryAt100: optunaMemory ? round(optunaMemory.at100 / memory.at100, 2) : null,
      fsSpeedupVsOptunaJournalAt100: optuna ? round(optuna.at100 / fs.at100, 2) : null,
      levelSpeedupVsOptunaSqliteAt100: optunaSqlite ? round(optunaSqlite.at100 / level.at100, 2) : null,
    }
    return result
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export const title = 'Per-trial overhead, ms (trivial objective)'

export function table(r: Awaited<ReturnType<typeof run>>): Row[] {
  const x = r as any
  const rows: Row[] = [
    {
      what: `memory store (driver + commit; target ≤ ${x.memory.targetMs})`,
      'at 100': x.memory.at100,
      'at 10,000': x.memory.at10k,
      'ratio 10k/100': x.memory.growth,
    },
    { what: 'fs store, durable', 'at 100': x.fs.at100, 'at 10,000': x.fs.at10k, 'ratio 10k/100': x.fs.growth },
    { what: 'level store, sync', 'at 100': x.level.at100, 'at 10,000': x.level.at10k, 'ratio 10k/100': x.level.growth },
    {
      what: `raw durable fs write (${x.fs.bytesPerCommit} B)`,
      'at 100': x.rawDurableWrite,
      'at 10,000': x.rawDurableWrite,
      'ratio 10k/100': 1,
    },
  ]
  if (x.optunaMemory)
    rows.push({
      what: 'Optuna 3.1 InMemoryStorage',
      'at 100': round(x.optunaMemory.at100),
      'at 10,000': `${round(x.optunaMemory.at1000)} (at 1,000)`,
      'ratio 10k/100': round(x.optunaMemory.at1000 / x.optunaMemory.at100, 2),
    })
  if (x.optunaJournal)
    rows.push({
      what: 'Optuna 3.1 JournalFileStorage',
      'at 100': x.optunaJournal.at100,
      'at 10,000': `${round(x.optunaJournal.at1000)} (at 1,000)`,
      'ratio 10k/100': round(x.optunaJournal.at1000 / x.optunaJournal.at100, 2),
    })
  if (x.optunaSqlite)
    rows.push({ what: 'Optuna 3.1 RDBStorage (SQLite)', 'at 100': x.optunaSqlite.at100, 'at 10,000': '', 'ratio 10k/100': '' })
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run()
  console.log(JSON.stringify(r, null, 2))
  printTable('Per-trial overhead, ms (trivial objective)', table(r))
}
