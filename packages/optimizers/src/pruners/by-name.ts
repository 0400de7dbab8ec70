import { InvalidInputError, type Pruner } from '@cairn/core'
import { PRUNER_IDS, type PrunerName } from '../ids.js'
import { asha } from './asha.js'
import { hyperband } from './hyperband.js'
import { nopPruner } from './nop.js'
import { medianPruner } from './percentile.js'

/** The pruners a short name can stand for: those with a usable default (patient and percentile need arguments). */
const FACTORIES: Readonly<Partial<Record<PrunerName, () => Pruner>>> = {
  nop: () => nopPruner(),
  median: () => medianPruner(),
  asha: () => asha(),
  hyperband: () => hyperband(),
}

/** True for the short names in `PRUNER_IDS`. */
export function isPrunerName(name: string): name is PrunerName {
  return Object.hasOwn(PRUNER_IDS, name)
}

/**
 * The pruner a short name stands for, with its default options (what a config that names
 * `'median'` gets): `nop`, `median`, `asha`, `hyperband`. `percentile` and `patient` need
 * arguments (a percentile; a patience), so they are built with `percentilePruner()` /
 * `patientPruner()`. Throws `InvalidInputError` otherwise.
 */
export function prunerByName(name: PrunerName): Pruner {
  const make = isPrunerName(name) ? FACTORIES[name] : undefined
  if (!make)
    throw new InvalidInputError(
      `[@cairn/optimizers] no pruner with default options is named ${JSON.stringify(name)}; the names are ${Object.keys(FACTORIES).join(', ')} (percentilePruner() and patientPruner() take arguments)`,
      'name',
    )
  return make()
}
