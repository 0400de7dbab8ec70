import type { CheckpointHead, Direction, Json, TrialRecord } from '@cairn/core'
import { summarizeHead, type HeadSummary } from '../session/details.js'

/** One dimension as the report plots it. */
export type ReportParam =
  | { name: string; kind: 'numeric'; log: boolean; low: number; high: number }
  | { name: string; kind: 'categorical'; choices: string[] }

/** Everything the report shows. */
export interface ReportModel {
  head: HeadSummary
  trials: TrialRecord[]
  params: ReportParam[]
  direction: Direction
  /** Best score after each trial (null until the first successful one). */
  bestSoFar: Array<number | null>
  generatedAt: number
  /** Where the session is stored (shown in the header). */
  storeUri?: string
}

const MAX_CATEGORIES = 40

/** Builds the report model: the dimensions come from the stored space, else from the candidates. */
export function reportModel(
  head: CheckpointHead,
  trials: TrialRecord[],
  options: { storeUri?: string; generatedAt?: number } = {},
): ReportModel {
  const direction = head.direction
  const bestSoFar: Array<number | null> = []
  let best: number | null = null
  for (const t of trials) {
    if (t.status === 'ok' && typeof t.score === 'number' && Number.isFinite(t.score)) {
      if (best === null || (direction === 'maximize' ? t.score > best : t.score < best)) best = t.score
    }
    bestSoFar.push(best)
  }
  const model: ReportModel = {
    head: summarizeHead(head),
    trials,
    params: paramsOf(head.space, trials),
    direction,
    bestSoFar,
    generatedAt: options.generatedAt ?? Date.now(),
  }
  if (options.storeUri !== undefined) model.storeUri = options.storeUri
  return model
}

/** A candidate's value for one dimension, as a JSON value (undefined when absent). */
export function paramValue(candidate: Json, name: string): Json | undefined {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return undefined
  return (candidate as Record<string, Json>)[name]
}

/** The label a categorical value is shown and grouped by. */
export function categoryLabel(v: Json | undefined): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined')
}

function paramsOf(space: Json | undefined, trials: TrialRecord[]): ReportParam[] {
  const fromSpace = spaceParams(space)
  if (fromSpace) return fromSpace
  // No stored space (program jobs): plot the candidates' scalar top-level fields.
  const names = new Set<string>()
  for (const t of trials) {
    const c = t.candidate
    if (c !== null && typeof c === 'object' && !Array.isArray(c)) for (const k of Object.keys(c)) names.add(k)
  }
  const out: ReportParam[] = []
  for (const name of names) {
    const values = trials.map((t) => paramValue(t.candidate, name)).filter((v) => v !== undefined)
    if (values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const nums = values as number[]
      out.push({ name, kind: 'numeric', log: false, low: Math.min(...nums), high: Math.max(...nums) })
    } else if (values.every((v) => v === null || typeof v !== 'object')) {
      const labels = [...new Set(values.map(categoryLabel))]
      if (labels.length <= MAX_CATEGORIES) out.push({ name, kind: 'categorical', choices: labels })
    }
  }
  return out
}

function spaceParams(space: Json | undefined): ReportParam[] | null {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) return null
  const params = (space as Record<string, Json>)['params']
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return null
  const out: ReportParam[] = []
  for (const [name, p] of Object.entries(params as Record<string, Record<string, Json>>)) {
    if (p['kind'] === 'categorical' && Array.isArray(p['choices']))
      out.push({ name, kind: 'categorical', choices: p['choices'].map(categoryLabel) })
    else if (typeof p['low'] === 'number' && typeof p['high'] === 'number')
      out.push({ name, kind: 'numeric', log: p['log'] === true, low: p['low'], high: p['high'] })
  }
  return out
}
