/**
 * The startup check of bench/pruning.ts: the TypeScript and Python definitions of both
 * workloads must agree before their results are compared. The noise hashes must be equal
 * exactly; curve values and SGD losses to 1e-9 relative (`Math.exp` / `Math.log` and C's libm
 * may differ in the last bit).
 */
import { CURVE_CHECK_POINTS, curveHash, curveValue } from './pruning-curves.js'
import { SGD_CHECK_POINTS, loadDataset, newModel, penguinsPath, trainEpoch, validationLoss } from './pruning-sgd.js'
import { runOptunaScript } from './optuna.js'

const CURVE_EPOCHS_CHECKED = [0, 1, 5, 13, 26]
const SGD_EPOCHS_CHECKED = 3
const TOLERANCE = 1e-9

interface CheckOut {
  curves: { hashes: number[]; values: number[] }[]
  sgd: number[][]
  sizes: [number, number]
}

const close = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))

/** What the check compared. */
export interface WorkloadCheck {
  /** Values compared (hashes, curve values, losses). */
  compared: number
  /** The largest relative difference of a value. */
  maxRelativeDiff: number
}

/**
 * Evaluates the check points in this process and in `/usr/bin/python3 bench/optuna/pruning.py
 * --check`; throws, naming the first difference, when the two sides disagree.
 */
export async function checkWorkloadsAgree(): Promise<WorkloadCheck> {
  const points = {
    curves: CURVE_CHECK_POINTS.map((params) => ({ params, epochs: CURVE_EPOCHS_CHECKED })),
    sgd: SGD_CHECK_POINTS.map((params) => ({ params, epochs: SGD_EPOCHS_CHECKED })),
  }
  const py = (await runOptunaScript('pruning.py', ['--data', penguinsPath(), '--check', JSON.stringify(points)])) as CheckOut
  const data = loadDataset()
  const fail = (what: string, ours: number, theirs: number): never => {
    throw new Error(`bench pruning: the TypeScript and Python workloads differ at ${what}: ${ours} vs ${theirs}`)
  }
  let compared = 0
  let maxRelativeDiff = 0
  const compare = (what: string, ours: number, theirs: number | undefined, exact: boolean): void => {
    if (theirs === undefined || (exact ? ours !== theirs : !close(ours, theirs))) fail(what, ours, theirs ?? Number.NaN)
    compared++
    if (!exact && ours !== theirs) maxRelativeDiff = Math.max(maxRelativeDiff, Math.abs(ours - theirs!) / Math.max(1, Math.abs(ours)))
  }
  if (py.sizes[0] !== data.trainX.length || py.sizes[1] !== data.valX.length)
    fail('the split sizes (train, validation)', data.trainX.length * 1000 + data.valX.length, py.sizes[0] * 1000 + py.sizes[1])
  CURVE_CHECK_POINTS.forEach((p, i) => {
    CURVE_EPOCHS_CHECKED.forEach((t, k) => {
      compare(`curve point ${i} epoch ${t} (hash)`, curveHash(p, t), py.curves[i]?.hashes[k], true)
      compare(`curve point ${i} epoch ${t}`, curveValue(p, t), py.curves[i]?.values[k], false)
    })
  })
  SGD_CHECK_POINTS.forEach((p, i) => {
    const model = newModel()
    for (let t = 0; t < SGD_EPOCHS_CHECKED; t++) {
      trainEpoch(model, data, p, t)
      compare(`SGD point ${i} epoch ${t}`, validationLoss(model, data), py.sgd[i]?.[t], false)
    }
  })
  return { compared, maxRelativeDiff }
}
