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
    ;(held ? test : train).push(row)
    ;(held ? testY : trainY).push(scores[i] as number)
  })
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
