import type { Json, TrialRecord } from '@cairn/core'

/** One dimension as the charts and the table show it. */
export type ParamInfo =
  | { name: string; kind: 'numeric'; integer: boolean; log: boolean; low: number; high: number }
  | { name: string; kind: 'categorical'; choices: string[] }

const MAX_CATEGORIES = 40

/** A candidate's value for one dimension (undefined when absent, e.g. an inactive conditional parameter). */
export function paramValue(candidate: Json, name: string): Json | undefined {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return undefined
  return (candidate as Record<string, Json>)[name]
}

/** The label a categorical value is shown and grouped by (`true`, `"rbf"` → `rbf`, `[1,2]`). */
export function categoryLabel(v: Json | undefined): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '')
}

/**
 * The dimensions of a session: from its stored space (`{ version, params }`) when it has one,
 * else from the candidates' scalar top-level fields (sessions of program jobs store no space).
 */
export function paramsOf(space: Json | undefined, trials: readonly TrialRecord[]): ParamInfo[] {
  return spaceParams(space) ?? candidateParams(trials)
}

function spaceParams(space: Json | undefined): ParamInfo[] | null {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) return null
  const params = (space as Record<string, Json>)['params']
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return null
  const out: ParamInfo[] = []
  addParams(params as Record<string, Json>, out)
  return out
}

/**
 * The dimensions of a params record; a conditional `choice` is a categorical of its branch
 * names, followed by its branches' parameters (absent from the candidates that take another branch).
 */
function addParams(params: Record<string, Json>, out: ParamInfo[]): void {
  for (const [name, raw] of Object.entries(params)) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue
    const p = raw as Record<string, Json>
    const branches = p['branches']
    if (p['kind'] === 'choice' && branches !== null && typeof branches === 'object' && !Array.isArray(branches)) {
      out.push({ name, kind: 'categorical', choices: Object.keys(branches) })
      for (const b of Object.values(branches))
        if (b !== null && typeof b === 'object' && !Array.isArray(b)) addParams(b as Record<string, Json>, out)
    } else if (p['kind'] === 'categorical' && Array.isArray(p['choices']))
      out.push({ name, kind: 'categorical', choices: p['choices'].map(categoryLabel) })
    else if (typeof p['low'] === 'number' && typeof p['high'] === 'number')
      out.push({ name, kind: 'numeric', integer: p['kind'] === 'int', log: p['log'] === true, low: p['low'], high: p['high'] })
  }
}

function candidateParams(trials: readonly TrialRecord[]): ParamInfo[] {
  const names = new Set<string>()
  for (const t of trials) {
    const c = t.candidate
    if (c !== null && typeof c === 'object' && !Array.isArray(c)) for (const k of Object.keys(c)) names.add(k)
  }
  const out: ParamInfo[] = []
  for (const name of names) {
    const values = trials.map((t) => paramValue(t.candidate, name)).filter((v) => v !== undefined)
    if (values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const nums = values as number[]
      let low = Infinity
      let high = -Infinity
      for (const v of nums) {
        if (v < low) low = v
        if (v > high) high = v
      }
      out.push({ name, kind: 'numeric', integer: nums.every(Number.isInteger), log: false, low, high })
    } else if (values.every((v) => v === null || typeof v !== 'object')) {
      const labels = [...new Set(values.map(categoryLabel))]
      if (labels.length <= MAX_CATEGORIES) out.push({ name, kind: 'categorical', choices: labels })
    }
  }
  return out
}

/**
 * A candidate's value for `p` as a number a chart or a model can use: the value itself for numeric
 * dimensions, the choice's index for categorical ones; null when absent or not one of the choices.
 */
export function numericValue(p: ParamInfo, candidate: Json): number | null {
  const v = paramValue(candidate, p.name)
  if (v === undefined) return null
  if (p.kind === 'numeric') return typeof v === 'number' && Number.isFinite(v) ? v : null
  const i = p.choices.indexOf(categoryLabel(v))
  return i < 0 ? null : i
}
