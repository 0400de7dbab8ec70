import type { ResolvedRecoveryPolicy } from './policy.js'

/**
 * The delay before the next attempt after `failures` failed ones (1 or more):
 * `backoffMs · 2^(failures − 1)`, capped at `maxBackoffMs`, then shortened by up to
 * `jitter` of itself at random. `random` returns a number in [0, 1) (default `Math.random`).
 *
 * @example
 * backoffDelay(1, { backoffMs: 5000, maxBackoffMs: 60000, jitter: 0 }) // 5000
 * backoffDelay(3, { backoffMs: 5000, maxBackoffMs: 60000, jitter: 0 }) // 20000
 * backoffDelay(9, { backoffMs: 5000, maxBackoffMs: 60000, jitter: 0 }) // 60000
 */
export function backoffDelay(
  failures: number,
  policy: Pick<ResolvedRecoveryPolicy, 'backoffMs' | 'maxBackoffMs' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, failures - 1), 52)
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** exponent)
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(base * (1 - policy.jitter * r))
}
