import type { Json, Metric, Program } from '@cairn/core'
import type { LanguageModel } from './fake-llm.js'
import type { Example } from './tasks.js'

/**
 * What the optimizer tunes: which training examples are shown as demonstrations (indices into
 * the trainset), what answer to show for each, and optionally the instruction.
 * `fewShotSearch()` proposes exactly this shape.
 */
export interface PromptConfig {
  demos: number[]
  /**
   * For bootstrapped demonstrations, the answer the model itself gave when it got that
   * example right (its trace), aligned with `demos`; null for a labelled demonstration,
   * which shows the example's own answer.
   */
  outputs?: (string | null)[]
  instruction?: string
}

/** The instruction used when a configuration carries none. */
export const DEFAULT_INSTRUCTION = 'Answer the question. Reply with the answer only.'

/** The zero-shot configuration: no demonstrations. */
export const ZERO_SHOT: PromptConfig = { demos: [] }

/**
 * Renders the prompt of one question: the instruction, the demonstrations as
 * `Question:` / `Answer:` pairs, then the question — the layout of a DSPy `Predict` module
 * with the signature `question -> answer`.
 */
export function renderPrompt(config: PromptConfig, trainset: readonly Example[], question: string): string {
  const parts = [config.instruction ?? DEFAULT_INSTRUCTION]
  config.demos.forEach((i, j) => {
    const demo = trainset[i]
    if (demo === undefined) throw new RangeError(`demo index ${i} is outside the trainset (${trainset.length} examples)`)
    parts.push(`Question: ${demo.question}\nAnswer: ${config.outputs?.[j] ?? demo.answer}`)
  })
  parts.push(`Question: ${question}\nAnswer:`)
  return parts.join('\n\n')
}

/**
 * The program: `(config, example) → output`. Demonstrations are resolved against the trainset
 * the optimizer indexes into, so give the same one to `qaProgram` and to `compile`.
 */
export function qaProgram(lm: LanguageModel, trainset: readonly Example[]): Program<Example, string> {
  return async (config: Json, example: Example, { signal }) => {
    const prompt = renderPrompt(asConfig(config), trainset, example.question)
    return (await lm.complete(prompt, { signal })).trim()
  }
}

/** The metric: exact match of the answer (1 or 0). The session maximizes its mean. */
export const exactMatch: Metric<Example, string> = (example, output) => (output === example.answer ? 1 : 0)

/** Mean metric of the program with `config` over `examples` (what the session computes per trial). */
export async function accuracy(program: Program<Example, string>, config: PromptConfig, examples: readonly Example[]): Promise<number> {
  const signal = new AbortController().signal
  let total = 0
  for (const example of examples) total += await exactMatch(example, await program(config as unknown as Json, example, { signal }))
  return total / examples.length
}

function asConfig(config: Json): PromptConfig {
  const c = config as { demos?: unknown; outputs?: unknown; instruction?: unknown } | null
  if (c === null || typeof c !== 'object' || !Array.isArray(c.demos)) throw new TypeError(`not a prompt config: ${JSON.stringify(config)}`)
  return {
    demos: c.demos as number[],
    ...(Array.isArray(c.outputs) ? { outputs: c.outputs as (string | null)[] } : {}),
    ...(typeof c.instruction === 'string' ? { instruction: c.instruction } : {}),
  }
}
