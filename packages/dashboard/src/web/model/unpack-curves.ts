import type { TrialRecord } from '@cairn/core'
import type { PackedCurve } from '../../api/types.js'

/** A trial's learning curve (`TrialRecord['intermediate']`). */
export type Curve = NonNullable<TrialRecord['intermediate']>

/** One packed curve (`SessionPageData.curves`) as `{ step, value }` points. */
export function unpackCurve([, steps, values]: PackedCurve): Curve {
  return values.map((value, i) => ({ step: typeof steps === 'number' ? steps + i : (steps[i] as number), value }))
}

/** The last step of a packed curve, without unpacking it. */
export function packedLastStep([, steps, values]: PackedCurve): number {
  return typeof steps === 'number' ? steps + values.length - 1 : (steps[steps.length - 1] as number)
}
