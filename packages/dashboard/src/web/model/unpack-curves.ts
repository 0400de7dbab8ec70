import type { TrialRecord } from '@cairn/core'
import type { PackedCurve } from '../../api/types.js'

/** Puts packed curves (`SessionPageData.curves`) back into their trials' `intermediate`, in place. */
export function unpackCurves(trials: TrialRecord[], curves: readonly PackedCurve[] | undefined): void {
  if (!curves || curves.length === 0) return
  const byIdx = new Map(trials.map((t) => [t.trialIdx, t]))
  for (const [trialIdx, steps, values] of curves) {
    const t = byIdx.get(trialIdx)
    if (!t) continue
    t.intermediate = values.map((value, i) => ({ step: typeof steps === 'number' ? steps + i : (steps[i] as number), value }))
  }
}
