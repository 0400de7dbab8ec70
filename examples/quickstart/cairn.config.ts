/**
 * The quick start: `pnpm demo` (= `cairn run quickstart`) tunes a random forest on the Palmer
 * penguins with 5-fold cross-validation, committing every trial to the embedded LevelDB store in
 * ./.cairn. Press Ctrl-C: the trial in flight finishes and the session pauses; run it again and
 * the same session (`quickstart`) resumes where it stopped.
 */
import { tpe } from '@cairn/optimizers'
import { defineConfig } from '@cairn/cli'
import { crossValidatedAccuracy, forestSpace, type ForestParams } from './src/model.js'
import { loadPenguins, type Penguin } from './src/penguins.js'

let rows: Penguin[] | undefined

export default defineConfig({
  store: 'level:./.cairn',
  jobs: {
    quickstart: {
      description: 'a random forest on the Palmer penguins, 5-fold cross-validated accuracy',
      space: forestSpace,
      objective: (params: ForestParams) => crossValidatedAccuracy((rows ??= loadPenguins()), params),
      optimizer: () => tpe({ nStartupTrials: 8 }),
      direction: 'maximize',
      maxTrials: 40,
      seed: 42,
      // A fixed id: running the job again resumes this session instead of starting another.
      sessionId: 'quickstart',
      // How soon a run killed with kill -9 can be taken over by the next `pnpm demo`.
      leaseTtlMs: 10_000,
    },
  },
})
