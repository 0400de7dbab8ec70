import type { DriveOptions } from './types.js'
import type { EvaluationTarget } from './evaluate.js'

/**
 * What the driver evaluates: the objective, or program × examples × metric, where the examples
 * an evaluation runs on by default are the valset when the session has one, else the trainset.
 */
export function targetOf(opts: DriveOptions): EvaluationTarget {
  if (opts.objective) return { kind: 'objective', objective: opts.objective }
  return { kind: 'program', program: opts.program!, metric: opts.metric!, trainset: opts.valset ?? opts.trainset ?? [] }
}
