import { nearestName, type Json, type Pruner } from '@cairn/core'
import type { PrunerRef } from '../config/types.js'
import { UnknownPrunerError } from '../errors.js'
import { importOptional } from '../lazy-import.js'

type Optimizers = typeof import('@cairn/optimizers')

/** The pruners a config may name, each built from its options (all optional). */
const BY_NAME: Readonly<Record<string, (m: Optimizers, options: Record<string, Json>) => Pruner>> = {
  nop: (m, o) => m.nopPruner(o as Parameters<Optimizers['nopPruner']>[0]),
  median: (m, o) => m.medianPruner(o as Parameters<Optimizers['medianPruner']>[0]),
  asha: (m, o) => m.asha(o as Parameters<Optimizers['asha']>[0]),
  hyperband: (m, o) => m.hyperband(o as Parameters<Optimizers['hyperband']>[0]),
}

/** The pruner names a job's `pruner` may give. */
export const PRUNER_NAMES: readonly string[] = Object.keys(BY_NAME)

/**
 * The Pruner a job's `pruner` stands for: a Pruner as is; a name (`'median'`) or `{ name,
 * options }` built by `@cairn/optimizers` (imported only now; `MissingPackageError` when it is
 * not installed), whose factories check the options. Throws `UnknownPrunerError` (with the
 * nearest name) for a name it has no pruner for; `field` names the job's key in messages.
 */
export async function resolvePruner(ref: PrunerRef, field = 'pruner'): Promise<Pruner> {
  if (typeof ref !== 'string' && 'shouldPrune' in ref) return ref
  const { name, options } = typeof ref === 'string' ? { name: ref, options: {} } : { name: ref.name, options: ref.options ?? {} }
  const make = Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined
  if (!make) throw new UnknownPrunerError(name, PRUNER_NAMES, nearestName(name, PRUNER_NAMES), field)
  const m = await importOptional('@cairn/optimizers', `the pruner "${name}"`, () => import('@cairn/optimizers'))
  return make(m, options)
}
