// Optimizes the prompt of a question-answering program against an offline fake LLM and
// prints the zero-shot baseline, every round of the search, and the compiled prompt.
//
// usage: node --conditions=@cairn/source --import tsx src/main.ts [maxTrials] [seed]
import { createMemoryStore } from '@cairn/core'
import { FakeLlm, ZERO_SHOT, accuracy, devset, optimizePrompt, qaProgram, renderPrompt, trainset, valset } from './index.js'

const maxTrials = Number(process.argv[2] ?? 24)
const seed = Number(process.argv[3] ?? 7)
const lm = new FakeLlm()
const program = qaProgram(lm, trainset)
const pct = (x: number) => `${Math.round(x * 100)}%`

const baseline = { val: await accuracy(program, ZERO_SHOT, valset), dev: await accuracy(program, ZERO_SHOT, devset) }
console.log(`zero-shot baseline: ${pct(baseline.val)} on the valset, ${pct(baseline.dev)} on the devset`)

const store = createMemoryStore()
const callsBefore = lm.calls
const { result, config } = await optimizePrompt({ lm, trainset, valset, maxTrials, seed, store })
console.log(`\ncompile(): ${result.status} after ${result.progress.attempts} trials, ${lm.calls - callsBefore} LLM calls`)
for (const t of await store.readTrials(result.sessionId)) {
  const { demos, outputs } = t.candidate as { demos: number[]; outputs?: unknown[] }
  const shown = demos.map((d, j) => (outputs?.[j] == null ? String(d) : `${d}*`)).join(', ')
  console.log(`${`  trial ${String(t.trialIdx).padStart(2)}  demos [${shown}]`.padEnd(44)}valset ${pct(t.score ?? 0)}`)
}
console.log('  (* a bootstrapped demonstration: shown with the answer the model gave)')
const dev = await accuracy(program, config, devset)
console.log(
  `\nbest: trial ${result.bestTrialIdx}, ${pct(result.bestScore ?? 0)} on the valset, ${pct(dev)} on the devset (zero-shot: ${pct(baseline.dev)})`,
)
console.log('\nthe compiled prompt, for a new question:\n')
console.log(renderPrompt(config, trainset, 'reverse: compile'))
