/**
 * The per-report and per-checkpoint overhead of bench/pruning.ts, on the fs and level stores
 * (durable defaults), side by side with the raw durable write of the same bytes:
 *
 * - report: a trial calls `ctx.report` 1,000 times without a checkpoint; ms per report is the
 *   loop's time / 1,000, the median over trials 2..`REPORT_TRIALS` (the first warms the JIT).
 *   Target ≤ 0.05 ms.
 * - checkpoint: a trial reports and then `await ctx.checkpoint(state)` 200 times (after 10 not
 *   counted), `state` a 1 KB and a 100 KB `Uint8Array`; in each repetition, beside the
 *   checkpoint, one raw durable write, by each raw writer, of exactly the bytes the store was
 *   given for the previous save (core's record: header, curve so far, state), with the store's
 *   durability:
 *   - fs: an atomic durable replace — a temporary file written, fdatasynced, renamed over the
 *     previous one, and its directory fsynced — in a directory of the same depth on the same
 *     filesystem as the store's progress directory (`raw-fs/sessions/raw/progress` beside
 *     `fs/sessions/<id>/progress`); "lean" (open, write, close and rename synchronous, only the
 *     two syncs in the thread pool: the store's own way, the stricter bar) and with
 *     `fs/promises`. The store's file holds 33 bytes more (its header and CRC-32).
 *   - level: one `put` of the bytes with `sync: true` (the store's default) on a separate
 *     database: what the store's save is at the least, one synced LevelDB write. The store's
 *     value holds 28 bytes more (its manifest header).
 *   The order of the writes is rotated from one repetition to the next. The figures are the
 *   medians of the paired ratios (checkpoint / raw write of the same repetition; the store's
 *   save alone / raw write) with a distribution-free 95% interval. Target: ≤ 1 raw durable
 *   write per checkpoint.
 *
 * Needs stores with `capabilities.trialProgress`; a store without it is skipped with a note.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { float, space, startSession, type CheckpointStore } from '@cairn/core'
import { randomSearch } from '@cairn/optimizers'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { openRawLevel, rawFsWrite, rawFsWriteLean, type RawWrite } from './raw-writes.js'
import { median, medianInterval } from './stats.js'

const REPORTS = 1_000
const REPORT_TRIALS = 6
/** Repetitions of each checkpoint size (after `WARMUP` more that are not counted). */
const REPETITIONS = 200
const WARMUP = 10
/** State sizes of the checkpoint runs (bytes). */
export const CHECKPOINT_SIZES = [1_024, 102_400] as const

/** A checkpoint against one raw durable write: paired ratios (same repetition), their median and 95% interval. */
export interface PairedRatio {
  /** The raw write (see bench/lib/raw-writes.ts). */
  raw: string
  /** Median ms of the raw write. */
  msPerRawWrite: number
  /** Median over repetitions of checkpoint ms / raw write ms, and its 95% interval. */
  checkpointRatio: number
  checkpointInterval: [number, number]
  /** The same for the store's `saveTrialProgress` alone. */
  saveRatio: number
  saveInterval: [number, number]
}

/** The checkpoint figures of one state size. */
export interface CheckpointFigures {
  stateBytes: number
  /** Median bytes the store was given per save (header, curve so far, state). */
  savedBytes: number
  /** Median ms of `await ctx.checkpoint(state)`. */
  msPerCheckpoint: number
  /** Median ms of the store's `saveTrialProgress` alone. */
  msPerStoreSave: number
  /** Against each raw write (the first is the stricter bar). */
  ratios: PairedRatio[]
  /** Repetitions counted. */
  repetitions: number
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
function timedSaves(store: CheckpointStore): { store: CheckpointStore; saves: { bytes: Uint8Array; ms: number }[] } {
  const saves: { bytes: Uint8Array; ms: number }[] = []
  const proxy = new Proxy(store, {
    get(target, prop) {
      if (prop === 'saveTrialProgress' && target.saveTrialProgress) {
        const save = target.saveTrialProgress.bind(target)
        return async (sessionId: string, trialIdx: number, token: number, bytes: Uint8Array) => {
          const t0 = performance.now()
          await save(sessionId, trialIdx, token, bytes)
          saves.push({ bytes, ms: performance.now() - t0 })
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

/**
 * `REPETITIONS` (+ `WARMUP`) repetitions, each one checkpoint and one write of every raw writer
 * of the bytes the store was last given, in an order rotated from one repetition to the next
 * (ABC, BCA, CAB …), so drift in the machine's load and any cost of going first or after
 * another write hit each alike; ratios are taken within a repetition.
 */
async function checkpointFigures(
  store: CheckpointStore,
  sessionId: string,
  size: number,
  raws: readonly { name: string; write: RawWrite }[],
): Promise<CheckpointFigures> {
  const timed = timedSaves(store)
  const checkpointMs: number[] = []
  const saveMs: number[] = []
  const rawMs: number[][] = raws.map(() => [])
  const state = new Uint8Array(size).map((_, i) => (i * 31) & 0xff)
  const handle = await startSession({
    store: timed.store,
    sessionId,
    optimizer: randomSearch(),
    space: benchSpace,
    seed: 1,
    maxTrials: 1,
    objective: async (c: { x: number }, ctx) => {
      // The first save, so that every raw write has the bytes of a save to write.
      ctx.report(0, c.x)
      await ctx.checkpoint(state)
      for (let rep = 0; rep < WARMUP + REPETITIONS; rep++) {
        ctx.report(rep + 1, c.x + 1 / (rep + 1))
        const bytes = (timed.saves.at(-1) as { bytes: Uint8Array }).bytes
        const ops = raws.length + 1
        const times: number[] = []
        let save = 0
        for (let k = 0; k < ops; k++) {
          const op = (rep + k) % ops
          const t0 = performance.now()
          if (op === 0) {
            await ctx.checkpoint(state)
            save = (timed.saves.at(-1) as { ms: number }).ms
          } else await (raws[op - 1] as { write: RawWrite }).write(bytes)
          times[op] = performance.now() - t0
        }
        if (rep < WARMUP) continue
        checkpointMs.push(times[0] as number)
        saveMs.push(save)
        raws.forEach((_, i) => {
          ;(rawMs[i] as number[]).push(times[i + 1] as number)
        })
      }
      return c.x
    },
  })
  const result = await handle.wait()
  if (result.progress.errors > 0) throw new Error(`bench pruning: the checkpoint trial failed on ${sessionId}`)
  const ratios = raws.map((r, i): PairedRatio => {
    const raw = rawMs[i] as number[]
    const byCheckpoint = checkpointMs.map((ms, j) => ms / (raw[j] as number))
    const bySave = saveMs.map((ms, j) => ms / (raw[j] as number))
    return {
      raw: r.name,
      msPerRawWrite: median(raw),
      checkpointRatio: median(byCheckpoint),
      checkpointInterval: medianInterval(byCheckpoint),
      saveRatio: median(bySave),
      saveInterval: medianInterval(bySave),
    }
  })
  return {
    stateBytes: size,
    savedBytes: median(timed.saves.map((s) => s.bytes.length)),
    msPerCheckpoint: median(checkpointMs),
    msPerStoreSave: median(saveMs),
    ratios,
    repetitions: REPETITIONS,
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
    // The fs raw writes go to a directory as deep as the store's progress directory (`fs/sessions/<id>/progress`).
    const rawFsDir = join(dir, 'raw-fs', 'sessions', 'raw', 'progress')
    await mkdir(rawFsDir, { recursive: true })
    const sides = [
      {
        name: 'fs' as const,
        store: fs as CheckpointStore,
        raws: [
          { name: 'lean replace', write: rawFsWriteLean(rawFsDir) },
          { name: 'fs/promises replace', write: rawFsWrite(rawFsDir) },
        ],
      },
      { name: 'level' as const, store: level as CheckpointStore, raws: [{ name: 'put sync', write: rawLevel.write }] },
    ]
    for (const side of sides) {
      if (!side.store.capabilities.trialProgress) {
        notes.push(`${side.name}: no capabilities.trialProgress on this branch; its overhead was not measured`)
        continue
      }
      const msPerReport = await reportFigure(side.store, `${side.name}-report`)
      const checkpoints: CheckpointFigures[] = []
      for (const size of CHECKPOINT_SIZES)
        checkpoints.push(await checkpointFigures(side.store, `${side.name}-ckpt-${size}`, size, side.raws))
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
