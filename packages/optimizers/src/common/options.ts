import { nearestName, UnknownOptionError, type Json } from '@cairn/core'
import { invalidInput, PREFIX } from './errors.js'

/**
 * Reads user options: refuses a non-object, unknown keys (core's `UnknownOptionError`, naming
 * the nearest known key) and bad values, naming the option.
 * `read` returns plain values for storage as the optimizer's `options` JSON.
 */
export class OptionReader {
  private readonly opts: Record<string, unknown>

  constructor(
    private readonly optimizer: string,
    options: unknown,
    allowed: readonly string[],
  ) {
    if (options === undefined || options === null) options = {}
    if (typeof options !== 'object' || Array.isArray(options)) throw invalidInput(optimizer, 'options must be an object')
    this.opts = options as Record<string, unknown>
    for (const key of Object.keys(this.opts)) {
      if (this.opts[key] !== undefined && !allowed.includes(key))
        throw new UnknownOptionError(`${PREFIX} ${optimizer}`, key, key, allowed, nearestName(key, allowed))
    }
  }

  private bad(key: string, want: string, v: unknown): never {
    throw invalidInput(this.optimizer, `option ${key} must be ${want}, got ${describe(v)}`)
  }

  /** An integer in `[min, max]`, or `fallback` when absent. */
  int(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.opts[key]
    if (v === undefined) return fallback
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      this.bad(key, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v)
    return v
  }

  /** A finite number in `[min, max]` (exclusive of `min` when `minExclusive`), or `fallback`. */
  number(key: string, fallback: number, min: number, max = Infinity, minExclusive = false): number {
    const v = this.opts[key]
    if (v === undefined) return fallback
    if (typeof v !== 'number' || !Number.isFinite(v) || (minExclusive ? v <= min : v < min) || v > max)
      this.bad(key, `a number ${minExclusive ? '>' : '≥'} ${min}${max === Infinity ? '' : ` and ≤ ${max}`}`, v)
    return v
  }

  /** A boolean, or `fallback`. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.opts[key]
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') this.bad(key, 'a boolean', v)
    return v
  }

  /** The raw value (for options validated by the caller). */
  raw(key: string): unknown {
    return this.opts[key]
  }

  /** Throws the standard "bad option" error. */
  fail(key: string, want: string): never {
    this.bad(key, want, this.opts[key])
  }
}

function describe(v: unknown): string {
  if (typeof v === 'function') return 'a function'
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

/** Options as JSON for `Optimizer.options` (drops undefined). */
export function optionsJson(values: Record<string, Json | undefined>): Json {
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v
  return out
}
