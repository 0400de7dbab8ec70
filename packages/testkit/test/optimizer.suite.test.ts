import type { Json } from '@cairn/core'
import { describeOptimizer, referenceOptimizer } from '../src/index.js'
import { grid, localSearch, minibatchPicker, randomSampler } from './fixtures/optimizers.js'

describeOptimizer('seeded random sampler (askTell)', randomSampler)

describeOptimizer('seeded local search (step)', localSearch, { trials: 10 })

describeOptimizer('testkit reference optimizer', referenceOptimizer, { trials: 8 })

describeOptimizer('grid (deterministic step, halts early)', () => grid(), {
  trials: 20,
  objective: (c: { x: number }) => (c.x - 1.5) ** 2,
})

const trainset = Array.from({ length: 8 }, (_, i) => ({ question: `q${i}`, answer: i % 3 }))
describeOptimizer('minibatch picker (program × trainset × metric)', () => minibatchPicker(['be brief', 'think step by step', 'answer']), {
  trials: 8,
  trainset,
  program: (config: Json, example: { question: string }) => `${(config as { instruction: string }).instruction}:${example.question}`,
  metric: (example: { answer: number }, output: string) => ((output.length + example.answer) % 5) / 5,
})
