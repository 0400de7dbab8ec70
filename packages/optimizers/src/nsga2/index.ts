import { askTell, type Optimizer } from '@cairn/core'
import { resolveNsga2Options, type Nsga2Options } from './options.js'
import { nsga2Sampler, type Nsga2State } from './sampler.js'

export type { Nsga2Options } from './options.js'
export type { Nsga2State } from './sampler.js'

/**
 * NSGA-II (Deb et al. 2002), as Optuna 3.1's `NSGAIISampler` with its defaults: the first
 * generation (`populationSize`, 50, trials) is drawn uniformly; each later trial is a child
 * of the previous generation's elite population — with probability 0.9 a uniform crossover
 * (each parameter from either parent with probability 0.5) of two parents chosen by binary
 * tournament, else a copy of one parent — then each parameter is redrawn uniformly with
 * probability 1 / (number of parameters). A generation is complete once it has
 * `populationSize` complete trials; its trials and the previous parents are reduced to
 * `populationSize` by non-dominated sorting, then crowding distance (elitist selection).
 *
 * Several objectives (`directions`) or one. Constraints: when trials carry constraint values
 * (`{ score, constraints }`), domination is constrained domination, as with Optuna's
 * `constraints_func`: a feasible trial beats an infeasible one, two infeasible ones compare by
 * total violation (a trial without constraints counts as feasible). Failed and pruned trials
 * never join a population. The state is bounded (the last generation's parents as trial
 * indices); everything else is read from the session's history, and every draw comes from
 * the session's RNG, so a resumed session asks the same candidates.
 *
 * ```ts
 * await startSession({ store, name: 'zdt1', optimizer: nsga2(), space, directions: ['minimize', 'minimize'], objective: (p) => [f1(p), f2(p)] })
 * ```
 */
export function nsga2(options: Nsga2Options = {}): Optimizer<Nsga2State> {
  return askTell(nsga2Sampler(resolveNsga2Options(options)))
}
