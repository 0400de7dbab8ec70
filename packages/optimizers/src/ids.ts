/**
 * The id of each optimizer of this package, by its short name (the name configs and the
 * `cairn` command use). Sessions record the id; `list({ optimizer })` filters on it.
 */
export const OPTIMIZER_IDS = {
  random: '@cairn/optimizers/random',
  grid: '@cairn/optimizers/grid',
  tpe: '@cairn/optimizers/tpe',
  cmaes: '@cairn/optimizers/cmaes',
  'few-shot': '@cairn/optimizers/few-shot',
} as const

/** The short name of an optimizer of this package: `random`, `grid`, `tpe`, `cmaes` or `few-shot`. */
export type OptimizerName = keyof typeof OPTIMIZER_IDS
