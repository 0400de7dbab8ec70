import type { Pruner } from '@cairn/core'
import { OptionReader } from '../common/options.js'
import { PRUNER_IDS } from '../ids.js'
import { definePruner } from './define.js'

/** Options of `nopPruner()`: none. */
export type NopPrunerOptions = Record<string, never>

/**
 * Never prunes (Optuna's `NopPruner`). A session with it records its intermediate values and
 * checkpoints without stopping any trial early.
 */
export function nopPruner(options: NopPrunerOptions = {}): Pruner {
  new OptionReader('nopPruner', options, [])
  return definePruner(PRUNER_IDS.nop, {}, () => false)
}
