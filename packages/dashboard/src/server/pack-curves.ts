import type { TrialRecord } from '@cairn/core'
import type { PackedCurve, SessionPageData } from '../api/types.js'

/** One curve as arrays (see `PackedCurve`). */
function packCurve(t: TrialRecord & { intermediate: NonNullable<TrialRecord['intermediate']> }): PackedCurve {
  const steps = t.intermediate.map((p) => p.step)
  const first = steps[0] as number
  const consecutive = steps.every((s, i) => s === first + i)
  return [t.trialIdx, consecutive ? first : steps, t.intermediate.map((p) => p.value)]
}

/**
 * `data` with its trials' learning curves moved to `curves` (packed), the records without
 * `intermediate`; unchanged when no trial has a curve or the curves are packed already.
 */
export function packCurves(data: SessionPageData): SessionPageData {
  if (data.curves !== undefined || !data.trials.some((t) => t.intermediate !== undefined)) return data
  const curves: PackedCurve[] = []
  const trials = data.trials.map((t) => {
    if (t.intermediate === undefined) return t
    const { intermediate, ...rest } = t
    if (intermediate.length > 0) curves.push(packCurve({ ...t, intermediate }))
    return rest
  })
  return { ...data, trials, curves }
}
