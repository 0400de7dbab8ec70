import { InvalidInputError, type Optimizer } from '@cairn/core'
import { cmaEs } from './cmaes/cma-es.js'
import { fewShotSearch } from './few-shot/few-shot-search.js'
import { gridSearch } from './grid-search.js'
import { OPTIMIZER_IDS, type OptimizerName } from './ids.js'
import { nsga2 } from './nsga2/index.js'
import { randomSearch } from './random-search.js'
import { tpe } from './tpe/index.js'

const FACTORIES: Readonly<Record<OptimizerName, () => Optimizer<any>>> = {
  random: () => randomSearch(),
  grid: () => gridSearch(),
  tpe: () => tpe(),
  cmaes: () => cmaEs(),
  nsga2: () => nsga2(),
  'few-shot': () => fewShotSearch(),
}

/** True for the short names in `OPTIMIZER_IDS`. */
export function isOptimizerName(name: string): name is OptimizerName {
  return Object.hasOwn(OPTIMIZER_IDS, name)
}

/**
 * The optimizer a short name stands for, with its default options (what a config that names
 * `'tpe'` gets). Throws `InvalidInputError` for a name not in `OPTIMIZER_IDS`.
 */
export function optimizerByName(name: OptimizerName): Optimizer<any> {
  if (!isOptimizerName(name))
    throw new InvalidInputError(
      `[@cairn/optimizers] no optimizer is named ${JSON.stringify(name)}; the names are ${Object.keys(OPTIMIZER_IDS).join(', ')}`,
      'name',
    )
  return FACTORIES[name]()
}
