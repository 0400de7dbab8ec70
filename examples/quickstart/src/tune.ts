import { isCairnError, NotFoundError, resumeSession, startSession, type CheckpointStore, type SessionHandle } from '@cairn/core'
import { tpe } from '@cairn/optimizers'
import { crossValidatedAccuracy, forestSpace, type ForestParams } from './model.js'
import { loadPenguins } from './penguins.js'

export const SESSION_ID = 'quickstart'
export const MAX_TRIALS = 40

/** What `openTuning` found: a session to drive, or one that already finished. */
export type Opened = { kind: 'started' | 'resumed'; handle: SessionHandle } | { kind: 'finished'; handle: null; bestScore: number | null; trials: number }

/**
 * Starts the quickstart session, or resumes it when a previous run was interrupted. A
 * session still leased by a process that was killed is retried until its lease expires.
 */
export async function openTuning(store: CheckpointStore, opts: { maxTrials?: number; onWait?: (until: number) => void } = {}): Promise<Opened> {
  const rows = loadPenguins()
  const objective = (params: ForestParams): number => crossValidatedAccuracy(rows, params)
  const drive = { optimizer: tpe({ nStartupTrials: 8 }), objective, maxTrials: opts.maxTrials ?? MAX_TRIALS }
  for (;;) {
    let head
    try {
      head = await store.load(SESSION_ID)
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err
      const handle = await startSession({ store, sessionId: SESSION_ID, job: 'quickstart', space: forestSpace, direction: 'maximize', seed: 42, ...drive })
      return { kind: 'started', handle }
    }
    if (head.status === 'completed' || head.status === 'failed' || head.status === 'cancelled')
      return { kind: 'finished', handle: null, bestScore: head.progress.bestScore, trials: head.progress.attempts }
    try {
      return { kind: 'resumed', handle: await resumeSession(store, SESSION_ID, drive) }
    } catch (err) {
      if (!isCairnError(err, 'ALREADY_RUNNING') || !head.lease) throw err
      // The previous process died without releasing its lease: wait for it to expire.
      const latest = await store.load(SESSION_ID)
      const until = latest.lease?.expiresAt ?? Date.now()
      opts.onWait?.(until)
      await new Promise((r) => setTimeout(r, Math.max(100, until - Date.now() + 50)))
    }
  }
}
