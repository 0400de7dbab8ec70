import { createHash } from 'node:crypto'
import type { Direction } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import { canonicalJson } from '../util/canonical-json.js'

/** What identifies related runs. */
export interface WarmStartKeyInput {
  optimizerId: string
  space?: Json
  trainsetHash?: string
  /** A program session's valset hash: part of the exact key only, and only when there is a valset. */
  valsetHash?: string
  job?: string
  /**
   * A session of several objectives: its directions, part of both keys, so multi-objective
   * runs seed only runs with the same objectives (a single-objective session keys without them,
   * as it did before several objectives existed).
   */
  objectives?: readonly Direction[]
}

/** The two warm-start keys of a session (64-hex SHA-256 each). */
export interface WarmStartKeys {
  /** Optimizer, space, trainset hash, valset hash (when there is a valset) and job: the same tuning problem. */
  exact: string
  /** Optimizer, space and job, without the trainset and valset: related runs such as cross-validation folds. */
  seed: string
}

/**
 * Derives a session's warm-start keys: SHA-256 over a domain tag and the canonical JSON of
 * the identifying fields, so the keys are stable across processes and key order. A session
 * without a valset (and with one objective) keys as it did before valsets (and several
 * objectives) existed, so earlier runs' entries still match.
 */
export function warmStartKeys(input: WarmStartKeyInput): WarmStartKeys {
  const common = {
    optimizer: input.optimizerId,
    space: input.space ?? null,
    job: input.job ?? null,
    ...(input.objectives !== undefined && input.objectives.length >= 2 ? { objectives: [...input.objectives] } : {}),
  }
  return {
    exact: digest({
      kind: 'exact',
      ...common,
      trainsetHash: input.trainsetHash ?? null,
      ...(input.valsetHash !== undefined ? { valsetHash: input.valsetHash } : {}),
    }),
    seed: digest({ kind: 'seed', ...common }),
  }
}

function digest(value: Json): string {
  return createHash('sha256').update('cairn/warm-start-key/v1\n').update(canonicalJson(value)).digest('hex')
}
