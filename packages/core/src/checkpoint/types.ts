import type { Json } from '../json.js'
import type { IntermediateValue, PrunerInfo } from '../pruner/contract.js'
import type { ControlRequest, Direction, SessionStatus } from './schema.js'

export type { ControlRequest, Direction, SessionStatus }

/** Statuses after which a session never runs again. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = ['completed', 'failed', 'cancelled']

/** True for `completed`, `failed` and `cancelled`. */
export function isTerminal(status: SessionStatus): boolean {
  return TERMINAL_STATUSES.includes(status)
}

/** Who drives a session, until when, and the fencing token every commit must carry. */
export interface Lease {
  owner: string
  /** Increases by one on every acquisition; a commit carrying an older token is refused. */
  fencingToken: number
  /** Epoch milliseconds. */
  expiresAt: number
}

/** Counters of a session. */
export interface Progress {
  /** Trials recorded in the trial log (ok + error + pruned). */
  attempts: number
  completed: number
  errors: number
  /** Trials stopped early by the session's pruner; absent on heads written before pruning existed (read as 0). */
  pruned?: number
  bestScore: number | null
  bestTrialIdx: number | null
  /**
   * Constrained sessions: the total constraint violation (sum of positive constraint values) of
   * the best trial; 0 when it is feasible. Feasible trials rank before infeasible ones, which
   * rank by violation. Absent on sessions whose trials report no constraints.
   */
  bestViolation?: number
  /** Epoch milliseconds of the first start. */
  startedAt: number
}

/** The budget a session was started with; kept so a resume (or a recovery) continues to the same end. */
export interface Limits {
  maxTrials: number | null
  maxErrors: number
  trialTimeoutMs: number | null
  parallelism: number
  /** How many times a failed trial runs again with the same candidate before it counts as an error (absent: 0). */
  retryFailed?: number
}

/** A result told for a pending trial (`session.tell`) that waits for the trials before it to be told. */
export interface ToldResult {
  status: 'ok' | 'error' | 'pruned'
  score?: number
  values?: number[]
  constraints?: number[]
  attrs?: Record<string, Json>
  stats?: Json
  error?: { name: string; message: string }
  errorClass?: string
  durationMs: number
  intermediate?: IntermediateValue[]
}

/** A candidate asked of the optimizer but not yet told; re-run first on resume. */
export interface PendingTrial {
  trialIdx: number
  candidate: Json
  candidateId?: string
  /**
   * How many trials were committed when this one was asked: its pruner history is the first
   * `askedAfter` trials of the log, the same after a resume. Absent on sessions without a pruner.
   */
  askedAfter?: number
  /** `enqueued`: the user asked for this candidate (`enqueue`); otherwise the optimizer proposed it. */
  origin?: 'enqueued'
  /** A result already told (`session.tell`) while an earlier trial is outstanding. */
  told?: ToldResult
  /** Failed runs of this candidate so far (`limits.retryFailed`). */
  retries?: number
}

/**
 * An earlier run's trial that seeds a new session's optimizer (warm start): its `score` (one
 * objective) or, in a session of several objectives, its `values` (one per direction).
 */
export type SeedTrial = { candidate: Json; score: number; values?: never } | { candidate: Json; values: number[]; score?: never }

/** Where a session's warm start came from. */
export interface WarmStartInfo {
  source: 'exact' | 'preloaded' | 'none'
  exactKey?: string
  seedKey?: string
  seededTrials: number
}

/**
 * What recovery monitors record on a session's head (drivers carry it unchanged): recovery
 * attempts are counted in the store, so every monitor sharing it sees the same count.
 */
export interface RecoveryInfo {
  /** Recovery attempts claimed since the session's trial count was `atTrial`. */
  attempts: number
  /** `progress.attempts` when the last attempt was claimed: trials committed since start a fresh count. */
  atTrial: number
  /** Epoch ms (the claiming monitor's clock) of the last claim. */
  lastAttemptAt?: number
  /** Lease owner name of the monitor that made the last claim. */
  lastOwner?: string
  /** Epoch ms at which the head was rebuilt from the trial log, when it was. */
  rebuiltAt?: number
}

/** The persisted record of one session (the "head"); the trial log is kept beside it. */
export interface CheckpointHead {
  sessionId: string
  name?: string
  status: SessionStatus
  terminalReason?: string
  /** The refusal gate on resume. */
  optimizer: { id: string; stateVersion: number }
  optimizerOptions: Json
  /** The job name a composition root resolves to an objective. */
  job?: string
  trainsetHash?: string
  /**
   * The hash of a program session's valset (held-out examples candidates are scored on),
   * verified on resume; absent on sessions without one. An optional field added within format
   * version 1.
   */
  valsetHash?: string
  space?: Json
  seed: number
  /** The direction of the (first) objective. */
  direction: Direction
  /**
   * Multi-objective sessions: one direction per objective (two or more; the first equals
   * `direction`). Absent on single-objective sessions. Stored as `directions` in format 2.
   */
  directions?: Direction[]
  /** Epoch milliseconds. */
  createdAt: number
  updatedAt: number
  progress: Progress
  limits: Limits
  bestArtifact?: Json
  /** Opaque bytes owned by the optimizer. */
  optimizerState: Uint8Array
  /** `Rng.state()` after the last committed trial. */
  rngState: string
  pending: PendingTrial[]
  /** Candidates the user enqueued (`enqueue`), asked before the optimizer is; absent when none. */
  enqueued?: Json[]
  settings?: Json
  warmStart?: WarmStartInfo
  /** Warm-start seeds (at most `maxSeedTrials`), kept so a resume sees the same history. */
  seeds?: SeedTrial[]
  /** Written by recovery monitors (attempt counts, rebuilds); absent on sessions never recovered. */
  recovery?: RecoveryInfo
  /**
   * `shared`: pending trials are published for workers in other processes to claim
   * (`joinSession`); absent on sessions evaluated by their driver alone. An optional field
   * added within format version 1.
   */
  evaluation?: 'shared'
  /**
   * The session's pruner (`startSession({ pruner })`), verified on resume; absent on sessions
   * without one. An optional field added within format version 1.
   */
  pruner?: PrunerInfo
  /** Monotonic; bumped by every commit. */
  revision: number
  lease: Lease | null
}

/** One trial of the trial log. */
export interface TrialRecord {
  trialIdx: number
  candidateId?: string
  candidate: Json
  /** The final score (`ok`), or the last intermediate value (`pruned`). */
  score?: number
  /** `pruned`: stopped early by the session's pruner (`ctx.prune()`). */
  status: 'ok' | 'error' | 'pruned'
  stats?: Json
  durationMs: number
  error?: { name: string; message: string }
  /** `timeout`, `objective`, `invalid-score`, or an optimizer-defined class. */
  errorClass?: string
  /** The trial's learning curve (`ctx.report`), steps increasing; absent when it reported none. */
  intermediate?: IntermediateValue[]
  /** Multi-objective sessions: one score per direction (`score` is then absent). */
  values?: number[]
  /** Constrained sessions: the trial's constraint values; each ≤ 0 means satisfied. */
  constraints?: number[]
  /** User attributes (`ctx.setAttr(k, v)`, or `{ attrs }` returned by the objective). */
  attrs?: Record<string, Json>
  /** Failed runs of this candidate before this record (`retryFailed`); absent when it ran once. */
  retries?: number
}

/** What `list` returns per session, without decoding optimizer state. */
export interface SessionListing {
  sessionId: string
  name?: string
  /** `corrupt` when the head could not be decoded; `problem` then says why. */
  status: SessionStatus | 'corrupt'
  optimizer: string
  job?: string
  bestScore: number | null
  completed: number
  /** Trials stopped early by the session's pruner; absent when none was (and on listings written before the field existed). */
  pruned?: number
  updatedAt: number
  /** When the current lease expires (epoch ms); null when no one holds it. */
  leaseExpiresAt: number | null
  problem?: string
}
