/**
 * Where a shared Cairn run's time between trials goes, from the workers' trial starts and the
 * coordinator's commits (this process's `cairn:session:checkpoint` messages; one commit per
 * trial, which also publishes the candidate `parallelism` indices further on):
 *
 * - in-order wait: a trial that ended before an earlier one waits for it (the coordinator tells
 *   and commits in trial-index order);
 * - commit latency: from the moment trial k could be committed (it and every earlier trial
 *   ended) to its commit: the worker's report, the coordinator's poll, and the commits queued
 *   before it;
 * - queued commit: the time between two commits when the later trial was ready before the
 *   earlier commit landed (results that arrive together are committed one by one: this is
 *   what each costs);
 * - pickup: from the moment trial k could start (its candidate published by a commit, and the
 *   worker that ran it free of its previous trial) to its start: the worker's poll, its head and
 *   slot reads, and its claim.
 *
 * Trial end = start + the objective's fixed duration.
 */
import diagnostics from 'node:diagnostics_channel'
import { CHANNEL_NAMES } from '@cairn/core'
import { round } from './stats.js'
import type { PooledWorker } from './worker-pool.js'

/** Median and 90th percentile, ms. */
export interface Spread {
  median: number
  p90: number
}

/** The three parts of the time between trials. */
export interface Breakdown {
  inOrderWaitMs: Spread | null
  commitLatencyMs: Spread | null
  queuedCommitMs: Spread | null
  pickupMs: Spread | null
}

function spread(values: number[]): Spread | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!
  return { median: round(at(0.5), 1), p90: round(at(0.9), 1) }
}

/** Records when each trial of `sessionId` was committed (epoch ms by trial index) until `stop()`. */
export function recordCommits(sessionId: string): { commits: Map<number, number>; stop(): void } {
  const commits = new Map<number, number>()
  let attempts = 0
  const onCheckpoint = (msg: unknown): void => {
    const m = msg as { sessionId: string; progress: { attempts: number } }
    if (m.sessionId !== sessionId) return
    const now = Date.now()
    for (; attempts < m.progress.attempts; attempts++) commits.set(attempts, now)
  }
  diagnostics.subscribe(CHANNEL_NAMES.sessionCheckpoint, onCheckpoint)
  return { commits, stop: () => diagnostics.unsubscribe(CHANNEL_NAMES.sessionCheckpoint, onCheckpoint) }
}

/** The breakdown of a run of `trials` trials with `parallelism`, from its workers' starts (at or after `since`) and its commits. */
export function breakdown(
  workers: readonly PooledWorker[],
  since: number,
  commits: ReadonlyMap<number, number>,
  trials: number,
  parallelism: number,
  trialMs: number,
): Breakdown {
  const start = new Map<number, number>()
  /** When the worker that started trial k had ended its previous trial. */
  const free = new Map<number, number>()
  for (const w of workers) {
    const mine = w.starts.filter((s) => s.at >= since)
    mine.forEach((s, i) => {
      start.set(s.trial, s.at)
      free.set(s.trial, i > 0 ? mine[i - 1]!.at + trialMs : since)
    })
  }
  const inOrder: number[] = []
  const latency: number[] = []
  const queued: number[] = []
  const pickup: number[] = []
  let ready = 0
  for (let k = 0; k < trials; k++) {
    const s = start.get(k)
    const c = commits.get(k)
    if (s === undefined || c === undefined) continue
    const end = s + trialMs
    ready = Math.max(ready, end)
    inOrder.push(ready - end)
    latency.push(c - ready)
    const before = commits.get(k - 1)
    if (before !== undefined && ready < before) queued.push(c - before)
    const published = commits.get(k - parallelism)
    if (published !== undefined) pickup.push(s - Math.max(published, free.get(k)!))
  }
  return {
    inOrderWaitMs: spread(inOrder),
    commitLatencyMs: spread(latency),
    queuedCommitMs: spread(queued),
    pickupMs: spread(pickup),
  }
}
