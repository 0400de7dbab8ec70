/**
 * Where each idle gap of a shared Cairn run's workers goes, cut into consecutive parts that add
 * up to the gap exactly. For a worker that ended trial k and then started trial n, published by
 * the commit of trial p = n − parallelism (usually p = k: the worker's report claimed n):
 *
 * 1. report: from the end of k to its report accepted (the worker's store call);
 * 2. in-order wait (head-of-line blocking): until every trial 0..p is reported — the
 *    coordinator tells in trial-index order, so a result reported before an earlier one waits;
 * 3. coordinator notice: until the coordinator has read every result 0..p (its poll);
 * 4. tell + ask: until the commit that accounts for p starts (the optimizer, and commits of
 *    earlier trials queued before it);
 * 5. commit: the commit call (the head written, renamed, fsynced);
 * 6. pickup: from the commit call's return to the start of n (the worker's poll and head read);
 *    negative when the worker saw the new head before the call returned (a rename is visible
 *    before the fsync that follows it).
 *
 * Each part starts where the previous ended, or later (a moment already past counts as 0), so
 * the parts sum to the gap. Moments come from the workers' `mark end` / `mark reported` lines
 * and from this process's calls of the coordinator's store (`watchCoordinator`).
 */
import type { CheckpointStore, CommitRequest, TrialSlot } from '@cairn/core'
import { round } from './stats.js'
import type { PooledWorker } from './worker-pool.js'

/** Median and 90th percentile, ms. */
export interface PartSpread {
  median: number
  p90: number
  /** Mean, ms: the parts' means add up to the mean gap. */
  mean: number
}

/** The parts of the gaps (see the file's comment), over every gap of the run. */
export interface GapPartition {
  gaps: number
  report: PartSpread
  inOrderWait: PartSpread
  coordinatorNotice: PartSpread
  tellAsk: PartSpread
  commit: PartSpread
  pickup: PartSpread
  /** Gaps whose worker ran a trial published by another trial's commit than its own previous one's. */
  notOwnSuccessor: number
}

/** What the coordinator's store calls said, epoch ms by trial index. */
export interface CoordinatorMoments {
  /** When the coordinator first read the trial's result. */
  seen: Map<number, number>
  /** When the commit that accounts for the trial started and returned. */
  commitStart: Map<number, number>
  commitEnd: Map<number, number>
}

/**
 * Wraps `readTrialSlots` and `commit` of `store` (in place) to note when each result was first
 * read and when the commit accounting for each trial started and returned; `reset()` starts over.
 */
export function watchCoordinator(store: CheckpointStore): CoordinatorMoments & { reset(): void } {
  const m: CoordinatorMoments = { seen: new Map(), commitStart: new Map(), commitEnd: new Map() }
  let committed = 0
  const target = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const read = target.readTrialSlots!
  target.readTrialSlots = async (...args: unknown[]) => {
    const slots = (await read.apply(store, args)) as TrialSlot[]
    const now = Date.now()
    for (const s of slots) if (s.result && !m.seen.has(s.trialIdx)) m.seen.set(s.trialIdx, now)
    return slots
  }
  const commit = target.commit!
  target.commit = async (...args: unknown[]) => {
    const startedAt = Date.now()
    const out = await commit.apply(store, args)
    const endedAt = Date.now()
    const attempts = (args[1] as CommitRequest).head.progress.attempts
    for (; committed < attempts; committed++) {
      m.commitStart.set(committed, startedAt)
      m.commitEnd.set(committed, endedAt)
    }
    return out
  }
  return {
    ...m,
    reset() {
      m.seen.clear()
      m.commitStart.clear()
      m.commitEnd.clear()
      committed = 0
    },
  }
}

function partSpread(values: number[]): PartSpread {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))] ?? 0
  const mean = values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
  return { median: round(at(0.5), 1), p90: round(at(0.9), 1), mean: round(mean, 1) }
}

/** The partition of the gaps of `workers`' trials started at or after `since`; null without gaps or moments. */
export function gapPartition(
  workers: readonly PooledWorker[],
  since: number,
  coordinator: CoordinatorMoments,
  trials: number,
  parallelism: number,
): GapPartition | null {
  const reported = new Map<number, number>()
  for (const w of workers) for (const [k, at] of w.marks.get('reported') ?? []) if (at >= since) reported.set(k, at)
  // Every trial 0..p reported: a running maximum.
  const allReported: number[] = []
  const allSeen: number[] = []
  for (let k = 0, r = 0, s = 0; k < trials; k++) {
    r = Math.max(r, reported.get(k) ?? Number.NaN)
    s = Math.max(s, coordinator.seen.get(k) ?? Number.NaN)
    allReported.push(r)
    allSeen.push(s)
  }
  const parts = {
    report: [] as number[],
    inOrderWait: [] as number[],
    coordinatorNotice: [] as number[],
    tellAsk: [] as number[],
    commit: [] as number[],
    pickup: [] as number[],
  }
  let notOwnSuccessor = 0
  for (const w of workers) {
    const starts = w.starts.filter((s) => s.at >= since)
    const ends = w.marks.get('end') ?? new Map<number, number>()
    for (let i = 1; i < starts.length; i++) {
      const k = starts[i - 1]!.trial
      const n = starts[i]!.trial
      const p = n - parallelism
      const end = ends.get(k)
      const rep = reported.get(k)
      const commitStart = coordinator.commitStart.get(p)
      const commitEnd = coordinator.commitEnd.get(p)
      if (p < 0 || end === undefined || rep === undefined || commitStart === undefined || commitEnd === undefined) continue
      if (Number.isNaN(allReported[p]!) || Number.isNaN(allSeen[p]!)) continue
      if (p !== k) notOwnSuccessor++
      const t1 = Math.max(end, rep)
      const t2 = Math.max(t1, allReported[p]!)
      const t3 = Math.max(t2, allSeen[p]!)
      const t4 = Math.max(t3, commitStart)
      const t5 = Math.max(t4, commitEnd)
      parts.report.push(t1 - end)
      parts.inOrderWait.push(t2 - t1)
      parts.coordinatorNotice.push(t3 - t2)
      parts.tellAsk.push(t4 - t3)
      parts.commit.push(t5 - t4)
      parts.pickup.push(starts[i]!.at - t5)
    }
  }
  if (parts.report.length === 0) return null
  return {
    gaps: parts.report.length,
    report: partSpread(parts.report),
    inOrderWait: partSpread(parts.inOrderWait),
    coordinatorNotice: partSpread(parts.coordinatorNotice),
    tellAsk: partSpread(parts.tellAsk),
    commit: partSpread(parts.commit),
    pickup: partSpread(parts.pickup),
    notOwnSuccessor,
  }
}
