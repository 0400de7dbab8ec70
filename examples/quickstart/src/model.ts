import { RandomForestClassifier } from 'ml-random-forest'
import { categorical, float, int, space } from '@cairn/core'
import { kFolds, type Penguin } from './penguins.js'

/** The hyperparameters tuned. */
export const forestSpace = space({
  nEstimators: int(3, 25),
  maxFeatures: float(0.25, 1),
  maxDepth: int(2, 10),
  minNumSamples: int(2, 20, { log: true }),
  replacement: categorical([true, false]),
})

export interface ForestParams {
  nEstimators: number
  maxFeatures: number
  maxDepth: number
  minNumSamples: number
  replacement: boolean
}

/** Mean k-fold cross-validated accuracy of a random forest with `params` (the model's own seed is fixed). */
export function crossValidatedAccuracy(rows: readonly Penguin[], params: ForestParams, k = 5): number {
  const folds = kFolds(rows, k)
  let total = 0
  for (let f = 0; f < k; f++) {
    const test = folds[f] as Penguin[]
    const train = folds.filter((_, i) => i !== f).flat()
    const forest = new RandomForestClassifier({
      seed: 3,
      nEstimators: params.nEstimators,
      maxFeatures: params.maxFeatures,
      replacement: params.replacement,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: { maxDepth: params.maxDepth, minNumSamples: params.minNumSamples },
    })
    forest.train(
      train.map((r) => r.features),
      train.map((r) => r.species),
    )
    const predicted = forest.predict(test.map((r) => r.features))
    total += predicted.filter((p, i) => p === test[i]?.species).length / test.length
  }
  return total / k
}
