import type {
  Direction,
  Json,
  Limits,
  PendingTrial,
  PrunerInfo,
  Progress,
  SessionListing,
  SessionStatus,
  TrialRecord,
  WarmStartInfo,
} from '@cairn/core'

/**
 * The dashboard's wire format: what the server sends and the web app reads. The live page reads
 * it over HTTP (`/api/…`, server-sent events); the static report embeds the same `SessionPageData`
 * in the HTML file, so the two views render from one shape and cannot drift.
 */

/** `GET /api/sessions?status=&optimizer=&q=` → `SessionsPage`. `q` matches id, name or job. */
export interface SessionsPage {
  sessions: SessionListing[]
  /** Epoch ms, the server's clock, when the listing was read. */
  readAt: number
}

/** A worker evaluating one of a shared session's pending trials (from the store's trial slots). */
export interface WorkerView {
  owner: string
  trialIdx: number
  /** Epoch ms when its claim lapses unless renewed. */
  claimExpiresAt: number
}

/** The head as the dashboard shows it: everything but the optimizer's opaque bytes. */
export interface SessionView {
  sessionId: string
  name?: string
  job?: string
  status: SessionStatus
  terminalReason?: string
  optimizer: { id: string; stateVersion: number }
  optimizerOptions: Json
  /** The session's pruner (id, state version, options), when it has one. */
  pruner?: PrunerInfo
  /** The stored search space (`parseSpace` input), when the session has one. */
  space?: Json
  seed: number
  direction: Direction
  /** Multi-objective sessions: one direction per objective (the trials carry `values`); absent otherwise. */
  directions?: Direction[]
  createdAt: number
  updatedAt: number
  progress: Progress
  limits: Limits
  bestArtifact?: Json
  pending: PendingTrial[]
  warmStart?: WarmStartInfo
  trainsetHash?: string
  valsetHash?: string
  evaluation?: 'shared'
  revision: number
  lease: { owner: string; expiresAt: number; fencingToken: number } | null
  /** Size of the optimizer's state in bytes (the bytes themselves are not sent). */
  optimizerStateBytes: number
  /** Live workers of a shared session (empty otherwise). */
  workers: WorkerView[]
}

/**
 * `GET /api/sessions/:id` → `SessionPageData` with every trial; `GET /api/sessions/:id/trials?from=N`
 * → `TrialRecord[]` from index N. The report embeds one `SessionPageData` (with `live: false`).
 */
export interface SessionPageData {
  session: SessionView
  trials: TrialRecord[]
  /**
   * The learning curves of `trials`, packed: when present, the records of `trials` carry no
   * `intermediate` and each of their curves is here instead (a quarter of the bytes of
   * `{ step, value }` objects; the page puts them back in the records when it loads).
   */
  curves?: PackedCurve[]
  /** True when served live (updates follow on `/api/sessions/:id/events`); false in a static report. */
  live: boolean
  /** Epoch ms when this was read or rendered. */
  readAt: number
}

/**
 * One trial's learning curve (`TrialRecord.intermediate`) as arrays: `[trialIdx, steps, values]`.
 * `steps` is the first step when the steps are consecutive (`first, first + 1, …`, one per
 * value), else every step.
 */
export type PackedCurve = [trialIdx: number, steps: number | number[], values: number[]]

/**
 * `GET /api/sessions/:id/events` (server-sent events). Each event's `data` is JSON of one of these;
 * `trials` carries every record committed since the previous event, in index order.
 */
export type SessionStreamEvent =
  | { type: 'trials'; trials: TrialRecord[]; session: SessionView }
  | { type: 'session'; session: SessionView }
  | { type: 'deleted'; sessionId: string }

/** `POST /api/sessions/:id/control` with this JSON body → 202 `{ ok: true }`, or an `ApiError`. */
export interface ControlBody {
  action: 'pause' | 'resume' | 'cancel'
}

/**
 * The 202 answer to a `ControlBody`. `outcome` (pause, cancel): `requested` — a live process
 * drives the session and stops after its trial in flight; `applied` — no one drove it, the
 * status was changed at once; `unchanged` — it already was in that state. `log` (resume): the
 * file the resumed `cairn resume` process writes its output to.
 */
export interface ControlAnswer {
  ok: true
  outcome?: 'requested' | 'applied' | 'unchanged'
  log?: string
}

/** Every non-2xx response. `code` is a CairnError code where one applies, else `HTTP_<status>`. */
export interface ApiError {
  code: string
  message: string
}

/** Header carrying the access token when the server is exposed with `--host` (every write checks it). */
export const TOKEN_HEADER = 'x-cairn-token'
