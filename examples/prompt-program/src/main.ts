// Optimizes the prompt of a question-answering program against an offline fake LLM and
// prints the zero-shot baseline, every round of the search, and the compiled prompt.
//
// usage: node --conditions=@cairn/source --import tsx src/main.ts [maxTrials] [seed]
import { createMemoryStore } from '@cairn/core'
import { FakeLlm, ZERO_SHOT, accuracy, devset, optimizePrompt, qaProgram, renderPrompt, trainset } from './index.js'

const maxTrials = Number(process.argv[2] ?? 24)
const seed = Number(process.argv[3] ?? 7)
const lm = new FakeLlm()
const program = qaProgram(lm, trainset)
const pct = (x: number) => `${Math.round(x * 100)}%`

const baseline = { train: await accuracy(program, ZERO_SHOT, trainset), dev: await accuracy(program, ZERO_SHOT, devset) }
console.log(`zero-shot baseline: ${pct(baseline.train)} on the trainset, ${pct(baseline.dev)} on the devset`)

const store = createMemoryStore()
const callsBefore = lm.calls
const { result, config } = await optimizePrompt({ lm, trainset, maxTrials, seed, store })
console.log(`\ncompile(): ${result.status} after ${result.progress.attempts} trials, ${lm.calls - callsBefore} LLM calls`)
for (const t of await store.readTrials(result.sessionId)) {
  const demos = (t.candidate as { demos: number[] }).demos
  console.log(`${`  trial ${String(t.trialIdx).padStart(2)}  demos [${demos.join(', ')}]`.padEnd(40)}trainset ${pct(t.score ?? 0)}`)
}
const dev = await accuracy(program, config, devset)
console.log(
  `\nbest: trial ${result.bestTrialIdx}, ${pct(result.bestScore ?? 0)} on the trainset, ${pct(dev)} on the devset (zero-shot: ${pct(baseline.dev)})`,
)
console.log('\nthe compiled prompt, for a new question:\n')
console.log(renderPrompt(config, trainset, 'reverse: compile'))
