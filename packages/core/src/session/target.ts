import type { DriveOptions } from './types.js'
import type { EvaluationTarget } from './evaluate.js'

/** What the driver evaluates: the objective, or program × trainset × metric. */
export function targetOf(opts: DriveOptions): EvaluationTarget {
  if (opts.objective) return { kind: 'objective', objective: opts.objective }
  return { kind: 'program', program: opts.program!, metric: opts.metric!, trainset: opts.trainset ?? [] }
}
