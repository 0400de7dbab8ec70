/** What the importance computation is given: one row of encoded parameter values per trial, and the scores. */
export interface ImportanceInput {
  names: string[]
  rows: number[][]
  scores: number[]
}
/** Its answer: each parameter's share of the total importance (summing to 1, or all 0). */
export interface ImportanceResult {
  importances: Array<{
    name: string
    importance: number
  }>
  /** Trials the forest was trained on, and held out to measure the importances on. */
  trained: number
  heldOut: number
  trees: number
}
/** Settings, fixed so the same trials always give the same importances. */
export declare const FOREST: {
  trees: number
  maxDepth: number
  minNumSamples: number
  repeats: number
  seed: number
}
/**
 * Permutation importance from a random forest: a regression forest (ml-random-forest) learns
 * the score from the parameters on three quarters of the trials; on the held-out quarter each
 * parameter's column is shuffled in turn and the rise of the mean squared error is its
 * importance (averaged over 3 shuffles, negative rises counted as 0, normalized to sum to 1).
 * With fewer than 20 trials the forest is measured on its own training trials.
 */
export declare function permutationImportance(input: ImportanceInput): ImportanceResult
//# sourceMappingURL=permutation.d.ts.map
