import { canonicalJson } from '../util/canonical-json.js'

/** Parameter names a space refuses: they are object-prototype keys, unsafe as plain-object keys. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Why `name` cannot name a dimension, or undefined when it can. */
export function paramNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a dimension needs a non-empty name'
  if (RESERVED_NAMES.has(name)) return `"${name}" cannot name a dimension (it is reserved by JavaScript objects)`
  return undefined
}

/** The fields every dimension has, as given (the helpers' arguments or a raw space's values). */
type RawParam =
  | { kind: 'float' | 'int'; low: unknown; high: unknown; log?: unknown; step?: unknown }
  | { kind: 'categorical'; choices: unknown }

/**
 * What is wrong with a dimension, or undefined when nothing is: the one set of checks behind
 * `float()`, `int()`, `categorical()` and `parseSpace` (raw spaces get the same checks).
 */
export function paramProblem(p: RawParam): string | undefined {
  return p.kind === 'categorical' ? choicesProblem(p.choices) : rangeProblem(p.kind, p.low, p.high, p.log, p.step)
}

function rangeProblem(kind: 'float' | 'int', low: unknown, high: unknown, log: unknown, step: unknown): string | undefined {
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high))
    return 'bounds must be finite numbers'
  if (kind === 'int' && (!Number.isSafeInteger(low) || !Number.isSafeInteger(high))) return 'bounds must be safe integers'
  if (!(low < high)) return 'empty or inverted range, low must be below high'
  // Sampling computes low + u · (high − low): an infinite width yields only the bounds.
  if (!Number.isFinite(high - low)) return 'the range is too wide to sample (high − low is not a finite number); narrow it'
  if (log !== undefined && typeof log !== 'boolean') return 'log must be true or false'
  if (log && low <= 0) return 'a log range must be strictly positive'
  if (step === undefined) return undefined
  if (log) return 'step and log cannot be combined'
  if (typeof step !== 'number' || !(step > 0) || !Number.isFinite(step)) return 'step must be a positive finite number'
  if (kind === 'int' && !Number.isSafeInteger(step)) return 'step must be an integer'
  if (step > high - low) return `step ${step} is wider than the range`
  return undefined
}

function choicesProblem(choices: unknown): string | undefined {
  if (!Array.isArray(choices) || choices.length === 0) return 'needs at least one choice'
  const seen = new Set<string>()
  for (let i = 0; i < choices.length; i++) {
    let key: string
    try {
      key = canonicalJson(choices[i])
    } catch {
      return `choice ${i} (${String(choices[i])}) is not a JSON value`
    }
    if (seen.has(key)) return `duplicate choice ${key}`
    seen.add(key)
  }
  return undefined
}
