/**
 * Times a store's calls (bench instrumentation, nothing is changed): wraps the named methods
 * of one store instance, recording each call's duration and the codes of the errors it threw
 * (e.g. TRIAL_CLAIMED: a claim race lost).
 */
import { median, round } from './stats.js'

/** Durations (ms) and error codes per method. */
export type CallLog = Record<string, { ms: number[]; errors: Record<string, number> }>

/** The calls of a log in short: count, median and 90th percentile ms, errors by code. */
export type CallSummary = Record<string, { calls: number; medianMs: number; p90Ms: number; errors: Record<string, number> }>

/** Wraps `methods` of `store` (in place); the returned log fills as they are called. `reset()` empties it. */
export function timeCalls(store: object, methods: readonly string[]): { log: CallLog; reset(): void } {
  const log: CallLog = {}
  const target = store as Record<string, unknown>
  for (const name of methods) {
    const original = target[name]
    if (typeof original !== 'function') continue
    log[name] = { ms: [], errors: {} }
    target[name] = async (...args: unknown[]) => {
      const t0 = performance.now()
      try {
        return await (original as (...a: unknown[]) => Promise<unknown>).apply(store, args)
      } catch (err) {
        const code = String((err as { code?: unknown }).code ?? 'other')
        const entry = log[name]!
        entry.errors[code] = (entry.errors[code] ?? 0) + 1
        throw err
      } finally {
        log[name]!.ms.push(round(performance.now() - t0, 2))
      }
    }
  }
  return {
    log,
    reset: () => {
      for (const entry of Object.values(log)) {
        entry.ms.length = 0
        entry.errors = {}
      }
    },
  }
}

/** Merges logs (of several workers). */
export function mergeLogs(logs: readonly CallLog[]): CallLog {
  const all: CallLog = {}
  for (const log of logs)
    for (const [name, entry] of Object.entries(log)) {
      const into = (all[name] ??= { ms: [], errors: {} })
      into.ms.push(...entry.ms)
      for (const [code, n] of Object.entries(entry.errors)) into.errors[code] = (into.errors[code] ?? 0) + n
    }
  return all
}

export function summarize(log: CallLog): CallSummary {
  const out: CallSummary = {}
  for (const [name, entry] of Object.entries(log)) {
    if (entry.ms.length === 0) continue
    const sorted = [...entry.ms].sort((a, b) => a - b)
    out[name] = {
      calls: sorted.length,
      medianMs: round(median(sorted), 1),
      p90Ms: round(sorted[Math.floor(0.9 * (sorted.length - 1))]!, 1),
      errors: entry.errors,
    }
  }
  return out
}
