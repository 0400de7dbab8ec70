import type { Optimizer } from '../../optimizer/contract.js'
export type { AskedTrial, OutstandingTrial, TellFailure, TellOptions, TellResult } from '../types.js'

/** Default bound of trials asked and not yet told (`maxOutstanding`). */
export const DEFAULT_MAX_OUTSTANDING = 1_000

/** Options of the store-level ask/tell functions (`askTrial`, `tellTrial`, `enqueueTrial`, `outstandingTrials`). */
export interface AskTellStoreOptions {
  /** The session's optimizer (its id, state version and options must be the session's); an ask/tell optimizer. */
  optimizer: Optimizer<any>
  /** Lease owner name (default: host:pid:random). */
  owner?: string
  /**
   * How long to wait when another process holds the session's lease, and to retry after a lost
   * compare-and-set, before rejecting with `TimeoutError` (default 120,000 ms: many processes
   * asking at once on a busy machine wait their turns).
   */
  timeoutMs?: number
  /** `askTrial`: refuse an ask while this many trials are outstanding (default `DEFAULT_MAX_OUTSTANDING`, 1,000). */
  maxOutstanding?: number
}
