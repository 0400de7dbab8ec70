import { SKILLS, argumentOf, skillOf } from './tasks.js'

/** The one call a program makes: a prompt in, a completion out (what an LLM client offers). */
export interface LanguageModel {
  complete(prompt: string, options?: { signal?: AbortSignal }): Promise<string>
}

/** Options of `FakeLlm`. */
export interface FakeLlmOptions {
  /** Simulated latency of every call, ms (default 0). */
  latencyMs?: number
  /** Skills the model gets right without a demonstration (default: `add` — it "knows" arithmetic). */
  zeroShotSkills?: readonly string[]
}

/**
 * An offline, deterministic stand-in for an LLM, with the one behaviour prompt optimization
 * exploits: **in-context learning**. It reads the prompt it is given — an instruction, then
 * `Question:` / `Answer:` demonstrations, then the question to answer — and answers that
 * question correctly when the prompt demonstrates the question's skill (or when it is a skill
 * it knows zero-shot). Otherwise it does what an unprompted model often does: it repeats the
 * question's argument back. Same prompt, same completion.
 */
export class FakeLlm implements LanguageModel {
  /** Completions served so far (the "API bill"). */
  calls = 0
  private readonly latencyMs: number
  private readonly zeroShot: ReadonlySet<string>

  constructor(options: FakeLlmOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0
    this.zeroShot = new Set(options.zeroShotSkills ?? ['add'])
  }

  async complete(prompt: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    this.calls++
    if (this.latencyMs > 0) await delay(this.latencyMs, options.signal)
    options.signal?.throwIfAborted()
    const questions = [...prompt.matchAll(/^Question: (.*)$/gm)].map((m) => (m[1] ?? '').trim())
    const question = questions.pop()
    if (question === undefined) return ''
    const skill = skillOf(question)
    const demonstrated = questions.some((q) => skillOf(q) === skill)
    if (skill !== undefined && (demonstrated || this.zeroShot.has(skill))) return SKILLS[skill](argumentOf(question))
    return argumentOf(question)
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
