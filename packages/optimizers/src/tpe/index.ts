import { askTell, type Optimizer } from '@cairn/core'
import { resolveTpeOptions, type TpeOptions } from './options.js'
import { tpeSampler, type TpeState } from './sampler.js'

export type { TpeOptions } from './options.js'
export type { TpeState } from './sampler.js'

/**
 * Tree-structured Parzen Estimator, as Optuna 3.x's `TPESampler`: after `nStartupTrials`
 * uniform draws, trials are split into a good group (the best `min(ceil(0.1·n), 25)`) and the
 * rest; a Parzen estimator is fitted to each (in log space for log dims, with integer and step
 * dims rounded), and the next candidate is the best of `nEiCandidates` draws from the good
 * model by the ratio l(x) / g(x). By default (univariate) the prior weighs 2 trials, the good
 * model's kernels are 0.7× as wide and 30% of suggestions are local moves around the best
 * trial; `optunaDefaults: true` gives Optuna 3.1's sampler exactly. Failed trials are left out of both models. State is a
 * version tag only: the model is rebuilt from the session's history at every ask.
 *
 * Conditional spaces (`choice`): Optuna's group decomposition — the top-level parameters and
 * each branch's parameters are modelled as separate groups, each from the trials where it was
 * active; the choice is sampled first, then the taken branch's group. Within a group the
 * dimensions are univariate by default and joint with `multivariate: true`.
 *
 * Several objectives (`directions`): Optuna 3.1's MOTPE — the good group is whole
 * non-domination ranks, the last one cut by greedy hypervolume subset selection, and its
 * trials' kernels are weighted by hypervolume contribution; pruned trials are left out, and
 * the prior weight and kernel widths are Optuna's (1 and 1) unless given. By default 30% of
 * suggestions are local moves around a good trial drawn by its hypervolume weight (Optuna's
 * MOTPE makes none: `optunaDefaults: true` gives it exactly). Constraints (trials with `constraints`): as Optuna's `constraints_func`, feasible
 * trials fill the good group first, then the least total violation Σ max(0, c).
 *
 * ```ts
 * await compile({ optimizer: tpe({ multivariate: true }), space: space({ x: float(-5, 10), y: float(0, 15) }), objective, maxTrials: 100 })
 * ```
 */
export function tpe(options: TpeOptions = {}): Optimizer<TpeState> {
  return askTell(tpeSampler(resolveTpeOptions(options)))
}
