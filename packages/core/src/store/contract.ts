import type { CheckpointHead, ControlRequest, Lease, SessionListing, SessionStatus, TrialRecord } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import type { Evaluation } from '../optimizer/contract.js'

/** What a store can do; conformance suites and the driver gate on these. */
export interface StoreCapabilities {
  /** Survives a process crash (memory: false). */
  durable: boolean
  /** Several processes on one machine may share it safely. */
  multiProcess: boolean
  /** Several machines may share it safely. */
  multiMachine: boolean
  /**
   * Trial slots (`claimTrial`, `renewTrialClaim`, `reportTrialResult`, `readTrialSlots`): workers
   * other than the lease holder evaluate a session's pending trials ("many workers, one session").
   * Across processes when `multiProcess`, across machines when `multiMachine`. Absent means false.
   */
  sharedEvaluation?: boolean
  /**
   * With `sharedEvaluation`: `reportAndClaimTrial`, a worker's report and its claim of its next
   * trial in one store call, so a worker's next trial needs no claim after the coordinator
   * publishes it. Absent means false (workers report, then claim, in two calls).
   */
  reportAndClaim?: boolean
  /**
   * Trial progress (`saveTrialProgress`, `loadTrialProgress`, `deleteTrialProgress`): a running
   * trial's intermediate values and latest checkpoint survive a crash, so a resumed session
   * continues the trial from its checkpoint (`ctx.checkpoint`, `ctx.restored`). Absent means false.
   */
  trialProgress?: boolean
}

/** The largest progress a store must accept from `saveTrialProgress` (bytes): a 10 MB checkpoint and its curve. */
export const MAX_TRIAL_PROGRESS_BYTES = 16 * 1024 * 1024

/** What `loadTrialProgress` returns. */
export interface StoredTrialProgress {
  /** The token the progress was saved with. */
  token: number
  /** The bytes as saved (core's encoding of the trial's intermediate values and checkpoint). */
  bytes: Uint8Array
}

/**
 * A worker's claim on one pending trial of a shared session: while it is live, no other worker
 * may claim that trial, and only this claim's `token` may report its result.
 */
export interface TrialClaim {
  trialIdx: number
  /** The worker that holds the claim (free text, e.g. `host:pid`). */
  owner: string
  /** Increases by one on every claim of the same trial (the first is 1); an older token is refused. */
  token: number
  /** Epoch milliseconds (the store's clock); the claim lapses then unless renewed. */
  expiresAt: number
}

/** What `claimTrial` takes. */
export interface ClaimTrialRequest {
  /** A trial the session's head lists in `pending`. */
  trialIdx: number
  owner: string
  /** How long the claim lives unless renewed (milliseconds). */
  ttlMs: number
}

/** The claim `reportAndClaimTrial` makes after storing a report. */
export interface ClaimNextRequest {
  /**
   * Trials in order of preference: the first with no result and no live claim is claimed (one
   * the head accounts for never is: it has a result, or the store knows it committed). Each is
   * pending, or will be once the reported trial is committed (its index is at most the reported
   * one + the session's parallelism). 1 to 1,024 indices.
   */
  trialIdxs: readonly number[]
  owner: string
  /** How long the claim lives unless renewed (milliseconds). */
  ttlMs: number
}

/** A result written by a worker for the coordinator to commit. */
export interface TrialResultReport {
  /** The candidate that was evaluated (the coordinator commits only when it equals the pending one). */
  candidate: Json
  evaluation: Evaluation
}

/** A result as stored, with the claim that wrote it. */
export interface ReportedTrialResult extends TrialResultReport {
  owner: string
  /** The token of the claim that reported it. */
  claimToken: number
  /** Epoch milliseconds (the store's clock). */
  reportedAt: number
}

/** One trial slot as `readTrialSlots` returns it. */
export interface TrialSlot {
  trialIdx: number
  /** The latest claim (live or lapsed), or null when the trial was never claimed. */
  claim: TrialClaim | null
  /** The reported result, or null while none was reported. */
  result: ReportedTrialResult | null
}

/** One atomic commit: the new head and the trial records it accounts for. */
export interface CommitRequest {
  /** The revision the writer last saw; the store refuses the commit if it moved. */
  expectedRevision: number
  /** The writer's lease token; the store refuses the commit if the lease was taken since. */
  fencingToken: number
  /** The new head. Its `revision` and `lease` are set by the store. */
  head: CheckpointHead
  /** Trials whose records become visible with this head (usually one; none for a status change). */
  trials: TrialRecord[]
}

/**
 * What changes of a session `watchSession` tells of: `head` (a commit: workers look for newly
 * published trials) or `slots` (a trial slot written — a claim, a renewal, a report: the
 * coordinator looks for results).
 */
export type SessionChange = 'head' | 'slots'

/** What a commit returns. */
export interface CommitResult {
  /** The new revision (`expectedRevision + 1`). */
  revision: number
  /** A pause or cancel requested by another process and not yet honoured, if any. */
  control: ControlRequest | null
}

/** Filters of `list`. All optional; `limit` and `cursor` page through the results (ordered by session id). */
export interface ListFilter {
  status?: SessionStatus | 'corrupt' | Array<SessionStatus | 'corrupt'>
  /** Optimizer id. */
  optimizer?: string
  /** Only sessions updated at or after this epoch-ms instant. */
  updatedSince?: number
  limit?: number
  cursor?: string
}

/** One page of `list`. `cursor` is set when more may follow. */
export interface ListPage {
  items: SessionListing[]
  cursor?: string
}

/** Options of `readTrials`. */
export interface ReadTrialsOptions {
  /** First trial index to return (default 0). */
  from?: number
  /** At most this many records (default: all the rest). */
  limit?: number
}

/** What a store can still vouch for about a session whose head does not decode (see `salvage`). */
export interface SalvagedSession {
  sessionId: string
  /** Why the head does not decode. */
  problem: string
  /** Names the damaged bytes as they were read (opaque): `replaceDamagedHead` refuses once they changed. */
  damage: string
  /** The revision recorded apart from the head, when the store keeps one; else null. */
  revision: number | null
  /**
   * The listing recorded apart from the head (name, status, optimizer, job, best score …), with
   * the status the session had, never `corrupt`; null when the store keeps none or it is damaged too.
   */
  listing: SessionListing | null
  /**
   * Every trial record the damaged head accounted for (indices 0 … n − 1), when the store can
   * tell n without the head and every record decodes; otherwise null, and `trialsProblem` says why.
   */
  trials: TrialRecord[] | null
  trialsProblem?: string
  /** The lease, as stored apart from the head. */
  lease: Lease | null
}

/** A rebuilt head to put in place of a damaged one (see `replaceDamagedHead`). */
export interface ReplaceDamagedHeadRequest {
  /** `damage` of the salvage the head was rebuilt from. */
  damage: string
  /** The caller's lease token, as for `commit`: the caller must hold the lease. */
  fencingToken: number
  /** The new head: `progress.attempts` must be the number of salvaged trials. Its `revision` and `lease` are set by the store. */
  head: CheckpointHead
}

/** What `replaceDamagedHead` did. */
export interface ReplaceDamagedHeadResult {
  /** The revision of the rebuilt head (the damaged one's + 1, when the store knew it). */
  revision: number
  /** Where the damaged bytes were kept (a file, a key): never overwritten, removed with the session by `delete`. */
  keptAs: string
}

/**
 * Where sessions live. Every method is async; every implementation passes
 * `@cairn/testkit`'s `describeCheckpointStore` unchanged.
 *
 * Rules: a commit is atomic (head and trials together or nothing), writes O(1) bytes in
 * the history length, and is a compare-and-set on `expectedRevision` and `fencingToken`.
 */
export interface CheckpointStore {
  /** The version of this contract the store implements (`'v1'`); the session driver refuses a version it does not know. */
  readonly specificationVersion: 'v1'
  readonly capabilities: StoreCapabilities
  /**
   * Creates a session. `head.revision` must be 0 and `head.lease` the creator's lease
   * (`fencingToken` 1), so creating and taking the lease are one step.
   * Throws `RevisionConflictError` when the id exists, `InvalidInputError` for a bad id.
   */
  create(head: CheckpointHead): Promise<void>
  /** Commits a trial (or a status change). Throws `RevisionConflictError`, `LeaseLostError`, `NotFoundError`. */
  commit(sessionId: string, request: CommitRequest): Promise<CommitResult>
  /** The current head, lease included. Throws `NotFoundError` or `CheckpointCorruptError`. */
  load(sessionId: string): Promise<CheckpointHead>
  /** Trial records in index order, only those the current head accounts for. */
  readTrials(sessionId: string, options?: ReadTrialsOptions): Promise<TrialRecord[]>
  /** Listings without decoding optimizer state; a corrupt head is listed with status `corrupt`. */
  list(filter?: ListFilter): Promise<ListPage>
  /** Removes a session and its trials. Idempotent. */
  delete(sessionId: string): Promise<void>
  /**
   * Takes the lease: succeeds when no one holds it, it expired, or `owner` already holds it.
   * The new lease's `fencingToken` is the previous one + 1.
   * Throws `AlreadyRunningError` while another owner's lease is live, `NotFoundError`.
   */
  acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease>
  /** Extends a lease held with `lease.fencingToken`. Throws `LeaseLostError` if it was taken. */
  renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease>
  /**
   * Gives the lease up: it expires now but keeps its owner and token, so the next
   * acquisition still gets a higher token. No-op if it was already taken by someone else.
   */
  releaseLease(sessionId: string, lease: Lease): Promise<void>
  /**
   * Asks the process driving the session to pause or cancel at its next trial boundary.
   * The flag is returned by that process's next `commit` and cleared by a commit whose
   * head is not `running`. A no-op when the session is not `running`. Throws `NotFoundError`.
   */
  requestControl(sessionId: string, request: ControlRequest): Promise<void>
  /** Releases resources (file handles, connections). */
  close(): Promise<void>
  /**
   * Optional: what the store can still vouch for about a session whose head does not decode
   * (its trial log, its listing, its lease), so the head can be rebuilt; null when the head
   * decodes. Reads only. Throws `NotFoundError`.
   */
  salvage?(sessionId: string): Promise<SalvagedSession | null>
  /**
   * Optional, with `salvage`: puts a rebuilt head in place of one that does not decode, in one
   * atomic step, keeping the damaged bytes aside. Refuses with `RevisionConflictError` when the
   * stored head changed since the salvage `request.damage` names (or decodes now),
   * `LeaseLostError` when `request.fencingToken` is not the current lease's, and
   * `InvalidInputError` when the store cannot vouch for the trials or `head.progress.attempts`
   * is not their number; a refusal writes nothing.
   */
  replaceDamagedHead?(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult>
  /**
   * With `capabilities.sharedEvaluation`: claims pending trial `trialIdx` for `owner`, a
   * conditional write that succeeds only when the trial has no live claim and no reported
   * result (a lapsed claim may be taken over: the new token is the old one + 1).
   * Throws `TrialClaimedError` when a live claim or a result exists, `NotFoundError` for an
   * unknown session, `InvalidInputError` for a bad index, owner or ttl.
   */
  claimTrial?(sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim>
  /**
   * With `sharedEvaluation`: extends a live claim held with `claim.token`. Throws
   * `ClaimLostError` when the claim lapsed, was taken over, or a result was already reported.
   */
  renewTrialClaim?(sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim>
  /**
   * With `sharedEvaluation`: stores the result of a claimed trial, once. A conditional write:
   * throws `ClaimLostError` when `claim.token` is not the trial's current claim, the claim
   * lapsed, or a result is already stored — a refused result writes nothing.
   */
  reportTrialResult?(sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void>
  /**
   * With `sharedEvaluation`: the slots of the given trial indices, in the order asked; a trial
   * never claimed reads `{ claim: null, result: null }`. Slots of trials the head already
   * accounts for may have been dropped. Throws `NotFoundError` for an unknown session.
   */
  readTrialSlots?(sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]>
  /**
   * Optional, with `sharedEvaluation`: calls `onChange` soon after a change of kind `change` —
   * a commit of the session's head (`head`), a write to one of its trial slots (`slots`) — made
   * in this process or another, until the returned function is called. A hint that wakes pollers
   * early, nothing more: a call may be spurious or merged with others, and a change may go untold
   * (workers and the coordinator poll all the same, at their intervals). Workers watch `head`,
   * the coordinator `slots`. Never throws for a session that does not exist yet; `onChange` must
   * not throw.
   */
  watchSession?(sessionId: string, change: SessionChange, onChange: () => void): () => void
  /**
   * With `capabilities.reportAndClaim`: `reportTrialResult(sessionId, claim, report)` (the same
   * checks and refusals: a refused report claims nothing), then, once the report is stored,
   * claims the first trial of `next.trialIdxs` that has no result and no live claim, as
   * `claimTrial` would. Returns that claim, or null when none of them could be claimed (the
   * report is stored all the same). Not one atomic step: a crash may leave either write without
   * the other, which is what a worker dying between two calls leaves (the claim lapses).
   */
  reportAndClaimTrial?(sessionId: string, claim: TrialClaim, report: TrialResultReport, next: ClaimNextRequest): Promise<TrialClaim | null>
  /**
   * With `capabilities.trialProgress`: saves the progress of running trial `trialIdx`, in one
   * atomic step (a crash leaves the previous save readable, never a part). `token` (a positive
   * integer) is the writer's progress token: core makes it `leaseToken · 2^21 + claimToken` from
   * the session lease's fencing token and the trial claim's token (2^21 − 1 when the driver evaluates
   * the trial itself), so it grows for a trial moved between local and shared evaluation; a store
   * only compares tokens. A save whose token is lower than the highest already stored for the trial is refused with
   * `LeaseLostError` and writes nothing. Accepts up to `MAX_TRIAL_PROGRESS_BYTES` (stores whose
   * items are smaller split the bytes into chunks); larger throws `InvalidInputError`.
   * Throws `NotFoundError` for an unknown session.
   */
  saveTrialProgress?(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void>
  /**
   * With `trialProgress`: the trial's progress saved with the highest token (the latest save
   * among equals), or null when none is stored. Throws `NotFoundError` for an unknown session,
   * `CheckpointCorruptError` when the stored bytes fail their checksum or a chunk is missing.
   */
  loadTrialProgress?(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null>
  /**
   * With `trialProgress`: removes every save of the trial (called once its record is committed).
   * Idempotent. `delete(sessionId)` removes all progress of the session too.
   */
  deleteTrialProgress?(sessionId: string, trialIdx: number): Promise<void>
}
