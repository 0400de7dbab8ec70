import type { Optimizer } from '@cairn/core'
import { importOptional } from '../lazy-import.js'

/** Names of the optimizers `@cairn/optimizers` provides, usable wherever an optimizer name is. */
export const BUILTIN_OPTIMIZERS = ['random', 'grid', 'tpe', 'cmaes', 'few-shot'] as const
export type BuiltinOptimizerName = (typeof BUILTIN_OPTIMIZERS)[number]

/** The optimizer id each built-in name produces (for `cairn ls --optimizer tpe`). */
export const BUILTIN_OPTIMIZER_IDS: Readonly<Record<BuiltinOptimizerName, string>> = {
  random: '@cairn/optimizers/random',
  grid: '@cairn/optimizers/grid',
  tpe: '@cairn/optimizers/tpe',
  cmaes: '@cairn/optimizers/cmaes',
  'few-shot': '@cairn/optimizers/few-shot',
}

/** True for `random`, `grid`, `tpe`, `cmaes`, `few-shot`. */
export function isBuiltinOptimizer(name: string): name is BuiltinOptimizerName {
  return (BUILTIN_OPTIMIZERS as readonly string[]).includes(name)
}

/**
 * A built-in optimizer with default options. `@cairn/optimizers` is imported only now, so a
 * config that brings its own optimizers never needs it.
 */
export async function builtinOptimizer(name: BuiltinOptimizerName): Promise<Optimizer<any>> {
  const m = await importOptional('@cairn/optimizers', `the optimizer "${name}"`, () => import('@cairn/optimizers'))
  switch (name) {
    case 'random':
      return m.randomSearch()
    case 'grid':
      return m.gridSearch()
    case 'tpe':
      return m.tpe()
    case 'cmaes':
      return m.cmaEs()
    case 'few-shot':
      return m.fewShotSearch()
  }
}
