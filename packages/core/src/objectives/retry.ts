import type { Evaluation } from '../optimizer/contract.js'

/** Error classes a `retryFailed` session runs again: the objective threw, or the trial timed out. */
const RETRYABLE = new Set(['objective', 'timeout'])

/** True for a failed evaluation that `retryFailed` runs again (not `invalid-input`, `invalid-score`, `aborted` …). */
export function isRetryable(evaluation: Evaluation): boolean {
  return evaluation.status === 'error' && evaluation.errorClass !== undefined && RETRYABLE.has(evaluation.errorClass)
}

/**
 * Runs `attempt` (given how many failed runs preceded it) until it succeeds, fails in a way
 * that is not retried, or has failed `limit` times more; the evaluation returned carries
 * `retries`, the failed runs before it, when there were any.
 */
export async function withRetries(limit: number, attempt: (retries: number) => Promise<Evaluation>): Promise<Evaluation> {
  for (let retries = 0; ; retries++) {
    const evaluation = await attempt(retries)
    if (retries >= limit || !isRetryable(evaluation)) return retries > 0 ? { ...evaluation, retries } : evaluation
  }
}
