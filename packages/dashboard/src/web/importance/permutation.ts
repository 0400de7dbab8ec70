import { RandomForestRegression } from 'ml-random-forest'

/** What the importance computation is given: one row of encoded parameter values per trial, and the scores. */
export interface ImportanceInput {
  names: string[]
  rows: number[][]
  scores: number[]
}

/** Its answer: each parameter's share of the total importance (summing to 1, or all 0). */
export interface ImportanceResult {
  importances: Array<{ name: string; importance: number }>
  /** Trials the forest was trained on, and held out to measure the importances on. */
  trained: number
  heldOut: number
  trees: number
}

/** Settings, fixed so the same trials always give the same importances. */
export const FOREST = { trees: 24, maxDepth: 8, minNumSamples: 3, repeats: 3, seed: 7 }

/** A small seeded generator (mulberry32) for the permutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A column with more distinct training values than this is cut into this many quantile bins before training. */
export const MAX_BINS = 64

/**
 * Replaces, in place, each column of `train` and `test` that has more than MAX_BINS distinct
 * training values by its quantile bin (edges from the training rows). A regression tree only
 * compares a column's values with thresholds, so a monotone recoding changes nothing but which
 * thresholds it may pick: at most MAX_BINS − 1 per column instead of one between every two values.
 * ml-cart tries every threshold with a pass over the node's rows, so a continuous column of 450
 * rows made the forest's training quadratic (about 1 s for 24 trees).
 */
function binColumns(train: number[][], test: number[][]): void {
  const width = train[0]?.length ?? 0
  for (let j = 0; j < width; j++) {
    const sorted = train.map((row) => row[j] as number).sort((a, b) => a - b)
    let distinct = 0
    for (let i = 0; i < sorted.length && distinct <= MAX_BINS; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++
    if (distinct <= MAX_BINS) continue
    const edges: number[] = []
    for (let k = 1; k < MAX_BINS; k++) {
      const edge = sorted[Math.floor((k * sorted.length) / MAX_BINS)] as number
      if (edge !== edges[edges.length - 1]) edges.push(edge)
    }
    const bin = (v: number): number => {
      let lo = 0
      let hi = edges.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((edges[mid] as number) <= v) lo = mid + 1
        else hi = mid
      }
      return lo
    }
    for (const rows of [train, test]) for (const row of rows) row[j] = bin(row[j] as number)
  }
}

interface TreeNodePrototype {
  featureSplit(this: unknown, x: ArrayLike<number>, y: ArrayLike<number>): number[]
}

let patched = false
/** Whether the patched node drops repeated thresholds (tests compare the forests with and without). */
let dropRepeats = true

/** Turns the dropping of repeated thresholds on or off (for tests: the importances must not change). */
export function setUniqueSplitCandidates(on: boolean): void {
  dropRepeats = on
}

/**
 * ml-cart (the forest's trees) tries, at every node and for every column, one threshold per pair
 * of neighbouring rows whose scores differ — the same value again and again for a column of few
 * distinct values — each with a pass over the node's rows. This drops the repeats, keeping the
 * first of each: a repeated threshold splits the rows the same way, so has the same gain, and the
 * tree keeps the first of equal gains — the trees are the same, built several times faster.
 * Patched once on ml-cart's node class (not exported: reached through a tiny tree).
 */
export function uniqueSplitCandidates(): void {
  if (patched) return
  patched = true
  const probe = new RandomForestRegression({ nEstimators: 1, seed: 1, noOOB: true, treeOptions: { maxDepth: 1, minNumSamples: 1 } })
  probe.train(
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
    [0, 1, 2, 3],
  )
  const root = (probe as unknown as { estimators?: Array<{ root?: object }> }).estimators?.[0]?.root
  const proto = root ? (Object.getPrototypeOf(root) as Partial<TreeNodePrototype>) : null
  const original = proto?.featureSplit
  if (!proto || typeof original !== 'function') return
  proto.featureSplit = function (this: unknown, x, y) {
    const all = original.call(this, x, y)
    if (!dropRepeats) return all
    const seen = new Set<number>()
    return all.filter((v) => !seen.has(v) && (seen.add(v), true))
  }
}

function mse(predicted: readonly number[], actual: readonly number[]): number {
  let s = 0
  for (let i = 0; i < actual.length; i++) s += ((predicted[i] as number) - (actual[i] as number)) ** 2
  return s / Math.max(1, actual.length)
}

/**
 * Permutation importance from a random forest: a regression forest (ml-random-forest) learns
 * the score from the parameters on three quarters of the trials; on the held-out quarter each
 * parameter's column is shuffled in turn and the rise of the mean squared error is its
 * importance (averaged over 3 shuffles, negative rises counted as 0, normalized to sum to 1).
 * With fewer than 20 trials the forest is measured on its own training trials.
 */
export function permutationImportance(input: ImportanceInput): ImportanceResult {
  const { names, rows, scores } = input
  const train: number[][] = []
  const trainY: number[] = []
  const test: number[][] = []
  const testY: number[] = []
  rows.forEach((row, i) => {
    const held = rows.length >= 20 && i % 4 === 3
    // Copies: the columns are binned in place below.
    ;(held ? test : train).push([...row])
    ;(held ? testY : trainY).push(scores[i] as number)
  })
  binColumns(train, test)
  if (test.length === 0) {
    test.push(...train)
    testY.push(...trainY)
  }
  const forest = new RandomForestRegression({
    nEstimators: FOREST.trees,
    maxFeatures: 1.0,
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    seed: FOREST.seed,
    treeOptions: { maxDepth: FOREST.maxDepth, minNumSamples: FOREST.minNumSamples },
  })
  uniqueSplitCandidates()
  forest.train(train, trainY)
  const baseline = mse(forest.predict(test), testY)
  const random = rng(FOREST.seed)
  const raw = names.map((_, j) => {
    let rise = 0
    for (let r = 0; r < FOREST.repeats; r++) {
      const column = test.map((row) => row[j] as number)
      for (let i = column.length - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1))
        const tmp = column[i] as number
        column[i] = column[k] as number
        column[k] = tmp
      }
      const shuffled = test.map((row, i) => row.map((v, c) => (c === j ? (column[i] as number) : v)))
      rise += mse(forest.predict(shuffled), testY) - baseline
    }
    return Math.max(0, rise / FOREST.repeats)
  })
  const total = raw.reduce((a, b) => a + b, 0)
  return {
    importances: names.map((name, j) => ({ name, importance: total > 0 ? (raw[j] as number) / total : 0 })),
    trained: train.length,
    heldOut: test === train ? 0 : test.length,
    trees: FOREST.trees,
  }
}
