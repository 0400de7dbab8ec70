/**
 * The id of each optimizer of this package, by its short name (the name configs and the
 * `cairn` command use). Sessions record the id; `list({ optimizer })` filters on it.
 */
export const OPTIMIZER_IDS = {
  random: '@cairn/optimizers/random',
  grid: '@cairn/optimizers/grid',
  tpe: '@cairn/optimizers/tpe',
  cmaes: '@cairn/optimizers/cmaes',
  nsga2: '@cairn/optimizers/nsga2',
  'few-shot': '@cairn/optimizers/few-shot',
} as const

/** The short name of an optimizer of this package: `random`, `grid`, `tpe`, `cmaes`, `nsga2` or `few-shot`. */
export type OptimizerName = keyof typeof OPTIMIZER_IDS

/**
 * The id of each pruner of this package, by its short name. Sessions record the pruner's id
 * in their head; a resume with another pruner is refused.
 */
export const PRUNER_IDS = {
  nop: '@cairn/optimizers/nop-pruner',
  median: '@cairn/optimizers/median-pruner',
  percentile: '@cairn/optimizers/percentile-pruner',
  patient: '@cairn/optimizers/patient-pruner',
  asha: '@cairn/optimizers/asha',
  hyperband: '@cairn/optimizers/hyperband',
} as const

/** The short name of a pruner of this package: `nop`, `median`, `percentile`, `patient`, `asha` or `hyperband`. */
export type PrunerName = keyof typeof PRUNER_IDS
