/**
 * The two workloads of bench/pruning.ts as the Cairn side runs them: a search space, the
 * epochs of a full trial, a lower bound of the value (for gap ratios) and a training run per
 * candidate that yields the value after each epoch.
 */
import type { Json, SearchSpace } from '@cairn/core'
import { CURVE_EPOCHS, CURVE_OPTIMUM, curveSpace, curveValue, type CurveParams } from './pruning-curves.js'
import { SGD_EPOCHS, loadDataset, newModel, sgdSpace, trainEpoch, validationLoss, type SgdParams } from './pruning-sgd.js'

/** The workloads' names (the same in bench/optuna/pruning.py). */
export type WorkloadName = 'curves' | 'sgd'

/** One workload. */
export interface Workload {
  name: WorkloadName
  /** What the table calls it. */
  label: string
  space: SearchSpace
  /** Epochs of a trial that is not pruned. */
  epochs: number
  /** A lower bound of the final value: gap ratios are (value − optimum) / (reference − optimum). */
  optimum: number
  /** Starts training `params`; each call of the result trains epoch `t` (0, 1, 2 … in order) and returns the value after it. */
  start(params: Record<string, Json>): (t: number) => number
}

/** The synthetic learning curves (bench/lib/pruning-curves.ts). */
export const curvesWorkload: Workload = {
  name: 'curves',
  label: 'synthetic curves (Hartmann-6 final values)',
  space: curveSpace,
  epochs: CURVE_EPOCHS,
  optimum: CURVE_OPTIMUM,
  start: (params) => (t) => curveValue(params as unknown as CurveParams, t),
}

/** SGD softmax regression on the penguins (bench/lib/pruning-sgd.ts); loads the data once. */
export function sgdWorkload(): Workload {
  const data = loadDataset()
  return {
    name: 'sgd',
    label: 'SGD softmax regression, penguins (validation log loss)',
    space: sgdSpace,
    epochs: SGD_EPOCHS,
    optimum: 0,
    start: (params) => {
      const model = newModel()
      const p = params as unknown as SgdParams
      return (t) => {
        trainEpoch(model, data, p, t)
        return validationLoss(model, data)
      }
    },
  }
}
