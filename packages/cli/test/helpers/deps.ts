/** Re-exports the workspace packages tests use, so test files import them from one place. */
export { categorical, createMemoryStore, float, int, space } from '@cairn/core'
export type { CheckpointStore, TrialRecord } from '@cairn/core'
export { tpe, randomSearch } from '@cairn/optimizers'
