import type { Direction } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import { paretoFront } from '../objectives/pareto.js'
import type { ParetoTrial } from './types.js'

/** What a Pareto front entry is built from: a trial record or a trial view. */
interface FrontSource {
  trialIdx: number
  status: 'ok' | 'error' | 'pruned'
  candidate: Json
  values?: readonly number[]
  constraints?: readonly number[]
  seeded?: boolean
}

/** A multi-objective session's Pareto front as `SessionResult.paretoFront` gives it (warm-start seeds left out). */
export function paretoTrials(trials: readonly FrontSource[], directions: readonly Direction[]): ParetoTrial[] {
  const own = trials.filter((t) => t.seeded !== true)
  return paretoFront(own, directions).map((t) => {
    const entry: ParetoTrial = { trialIdx: t.trialIdx, values: [...(t.values as readonly number[])], candidate: t.candidate }
    if (t.constraints !== undefined) entry.constraints = [...t.constraints]
    return entry
  })
}
