import { CheckpointCorruptError } from '../errors.js'
import type { Json } from '../json.js'
import type { Evaluation } from '../optimizer/contract.js'
import type { CheckpointStore } from '../store/contract.js'
import { channels, publish } from '../telemetry/channels.js'
import { candidateHash, decodeProgress, type DecodedProgress } from './progress-codec.js'
import { TrialProgress, type TrialPruning } from './trial-progress.js'

/** What `prepareTrial` needs. */
export interface TrialSetupArgs {
  store: CheckpointStore
  sessionId: string
  trialIdx: number
  candidate: Json
  /** Read the trial's stored progress (it may have run before: a resume, a reclaimed slot). */
  restore: boolean
  pruning?: TrialPruning
  /** The token of this writer's saves (see `progressToken`). */
  token(): number
  onLost(err: Error): void
}

/**
 * The context state of a trial about to run, with its last checkpoint restored when `restore`
 * and one is stored for this candidate (progress of another candidate is not restored; it is
 * replaced by the trial's first checkpoint and deleted with the trial). Progress that does not
 * decode is never silently dropped: the trial is then an `error` (`errorClass:
 * 'checkpoint-corrupt'`) naming the damage, and it is published on `cairn:session:exception`.
 */
export async function prepareTrial(args: TrialSetupArgs): Promise<TrialProgress | Evaluation> {
  const { store, sessionId, trialIdx, candidate } = args
  let restored: DecodedProgress | undefined
  let stored = false
  if (args.restore && store.capabilities?.trialProgress === true && typeof store.loadTrialProgress === 'function') {
    try {
      const found = await store.loadTrialProgress(sessionId, trialIdx)
      if (found) {
        stored = true
        const decoded = decodeProgress(found.bytes, `progress of trial ${trialIdx} of session "${sessionId}"`)
        if (decoded.candidateHash === candidateHash(candidate)) restored = decoded
      }
    } catch (err) {
      if (!(err instanceof CheckpointCorruptError)) throw err
      publish(channels.sessionException, { sessionId, error: err })
      return {
        status: 'error',
        error: { name: err.name, message: `${err.message}; the trial was not restarted from scratch` },
        errorClass: 'checkpoint-corrupt',
        durationMs: 0,
      }
    }
  }
  return new TrialProgress({
    trialIdx,
    candidate,
    ...(args.pruning ? { pruning: args.pruning } : {}),
    sink: { store, sessionId, token: args.token, onLost: args.onLost },
    ...(restored ? { restored } : {}),
    stored,
  })
}
