/**
 * The real workload of bench/pruning.ts, written out in plain numbers and identically in
 * bench/optuna/pruning.py (same operations in the same order; the bench checks both sides agree
 * before it runs): softmax regression of the Palmer penguins' species (`vega-datasets`, rows
 * with a missing measurement dropped) on their four body measurements, standardized with the
 * training split's mean and standard deviation, trained by minibatch SGD with L2 from zero
 * weights. One fifth of the rows (a fixed shuffle) is the validation split; each epoch visits
 * the training rows in an order drawn from the epoch number alone, so a candidate's curve is a
 * pure function of the candidate. The value after each epoch is the validation log loss, capped
 * at `LOSS_CAP` (a diverged run reports the cap instead of NaN or infinity).
 *
 * Parameters: `lr` (log, 1e-3..3), `l2` (log, 1e-6..1), `batch` (int, 1..64).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { float, int, space } from '@cairn/core'

/** Epochs of a full trial (27 = 3^3, as for the synthetic curves). */
export const SGD_EPOCHS = 27

/** The value reported for a diverged or very bad epoch. */
export const LOSS_CAP = 10

/** The search space of the SGD workload (same names and bounds in pruning.py). */
export const sgdSpace = space({
  lr: float(1e-3, 3, { log: true }),
  l2: float(1e-6, 1, { log: true }),
  batch: int(1, 64),
})

/** A candidate of the SGD workload. */
export interface SgdParams {
  lr: number
  l2: number
  batch: number
}

const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo']
const COLUMNS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']

/** The penguins file of the `vega-datasets` package (its path is passed to the Python side too). */
export function penguinsPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  return join(dirname(entry), '..', 'data', 'penguins.json')
}

/** The standardized training and validation splits. */
export interface Dataset {
  trainX: number[][]
  trainY: number[]
  valX: number[][]
  valY: number[]
}

/** The LCG both sides use for shuffles (Numerical Recipes constants, 32 bits). */
const lcg = (s: number): number => (Math.imul(s, 1664525) + 1013904223) >>> 0

/** Fisher–Yates shuffle of 0..n−1 driven by `lcg` from `seed`. */
export function shuffledOrder(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  let s = seed >>> 0
  for (let i = n - 1; i > 0; i--) {
    s = lcg(s)
    const j = s % (i + 1)
    const tmp = order[i]!
    order[i] = order[j]!
    order[j] = tmp
  }
  return order
}

/** Loads the penguins and splits them (every fifth row of a seed-7 shuffle is validation). */
export function loadDataset(path = penguinsPath()): Dataset {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[]
  const xs: number[][] = []
  const ys: number[] = []
  for (const r of rows) {
    const y = SPECIES.indexOf(r['Species'] as string)
    const f = COLUMNS.map((c) => r[c])
    if (y < 0 || f.some((v) => typeof v !== 'number')) continue
    xs.push(f as number[])
    ys.push(y)
  }
  const order = shuffledOrder(xs.length, 7)
  const train: number[] = []
  const val: number[] = []
  order.forEach((idx, n) => {
    ;(n % 5 === 0 ? val : train).push(idx)
  })
  const mean = [0, 0, 0, 0]
  const std = [0, 0, 0, 0]
  for (let j = 0; j < 4; j++) {
    let s = 0
    for (const i of train) s += xs[i]![j]!
    mean[j] = s / train.length
    let q = 0
    for (const i of train) q += (xs[i]![j]! - mean[j]!) ** 2
    std[j] = Math.sqrt(q / train.length)
  }
  const norm = (i: number): number[] => xs[i]!.map((v, j) => (v - mean[j]!) / std[j]!)
  return { trainX: train.map(norm), trainY: train.map((i) => ys[i]!), valX: val.map(norm), valY: val.map((i) => ys[i]!) }
}

/** A softmax-regression model: weights [3][4] and biases [3]. */
export interface SgdModel {
  w: number[][]
  b: number[]
}

/** Class probabilities' logits of x, and the log-sum-exp, computed in a fixed order. */
function logits(m: SgdModel, x: readonly number[]): number[] {
  const z = [0, 0, 0]
  for (let k = 0; k < 3; k++) {
    let s = m.b[k]!
    for (let j = 0; j < 4; j++) s += m.w[k]![j]! * x[j]!
    z[k] = s
  }
  return z
}

/** A fresh model (all zeros). */
export function newModel(): SgdModel {
  return { w: [0, 1, 2].map(() => [0, 0, 0, 0]), b: [0, 0, 0] }
}

/** Trains one epoch (0-based `epoch`) in place. */
export function trainEpoch(m: SgdModel, data: Dataset, p: SgdParams, epoch: number): void {
  const n = data.trainX.length
  const order = shuffledOrder(n, epoch + 1)
  for (let start = 0; start < n; start += p.batch) {
    const end = Math.min(n, start + p.batch)
    const gw = [0, 1, 2].map(() => [0, 0, 0, 0])
    const gb = [0, 0, 0]
    for (let i = start; i < end; i++) {
      const x = data.trainX[order[i]!]!
      const y = data.trainY[order[i]!]!
      const z = logits(m, x)
      const mx = Math.max(z[0]!, z[1]!, z[2]!)
      const e = [Math.exp(z[0]! - mx), Math.exp(z[1]! - mx), Math.exp(z[2]! - mx)]
      const s = e[0]! + e[1]! + e[2]!
      for (let k = 0; k < 3; k++) {
        const d = e[k]! / s - (k === y ? 1 : 0)
        for (let j = 0; j < 4; j++) gw[k]![j]! += d * x[j]!
        gb[k]! += d
      }
    }
    const size = end - start
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 4; j++) m.w[k]![j] = m.w[k]![j]! - p.lr * (gw[k]![j]! / size + p.l2 * m.w[k]![j]!)
      m.b[k] = m.b[k]! - (p.lr * gb[k]!) / size
    }
  }
}

/** Mean validation log loss, capped at `LOSS_CAP` (NaN and infinity become the cap). */
export function validationLoss(m: SgdModel, data: Dataset): number {
  let total = 0
  for (let i = 0; i < data.valX.length; i++) {
    const z = logits(m, data.valX[i]!)
    const mx = Math.max(z[0]!, z[1]!, z[2]!)
    const s = Math.exp(z[0]! - mx) + Math.exp(z[1]! - mx) + Math.exp(z[2]! - mx)
    total += mx + Math.log(s) - z[data.valY[i]!]!
  }
  const loss = total / data.valX.length
  return loss < LOSS_CAP ? loss : LOSS_CAP
}

/** Candidates the startup check compares between the two languages (3 epochs each). */
export const SGD_CHECK_POINTS: readonly SgdParams[] = [
  { lr: 0.05, l2: 1e-4, batch: 8 },
  { lr: 2.5, l2: 1e-6, batch: 1 },
  { lr: 0.001, l2: 0.5, batch: 64 },
]
