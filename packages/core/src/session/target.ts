import type { DriveOptions } from './types.js'
import type { EvaluationTarget } from './evaluate.js'
import { coordinatesOnly } from './options.js'

/**
 * What the driver evaluates: the objective, or program × examples × metric, where the examples
 * an evaluation runs on by default are the valset when the session has one, else the trainset;
 * nothing for a coordinator of shared evaluation given neither (its workers evaluate).
 */
export function targetOf(opts: DriveOptions): EvaluationTarget {
  if (opts.objective) return { kind: 'objective', objective: opts.objective }
  if (!opts.program && coordinatesOnly(opts)) return { kind: 'none' }
  return { kind: 'program', program: opts.program!, metric: opts.metric!, trainset: opts.valset ?? opts.trainset ?? [] }
}
