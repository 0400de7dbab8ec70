import { canonicalJson, type Direction, type Json, type Metric, type Program, type Rng } from '@cairn/core'
import { sampleIndices } from './propose.js'
import type { FewShotPoolEntry } from './state.js'

/** What bootstrapping needs. */
export interface BootstrapSettings {
  /** The teacher: the `teacher` option, else the session's program. */
  teacher: Program<any, any>
  metric: Metric<any, any>
  trainset: readonly unknown[]
  direction: Direction
  /** Passes over the examples not bootstrapped yet. */
  maxRounds: number
  /** Stop once this many traces passed. */
  poolSize: number
  /** Labelled demonstrations the teacher is shown (a fresh draw each pass, never the example itself). */
  teacherDemos: number
  /** Shown to the teacher when the search has instructions (the first one, as round 0 uses). */
  instruction: string | undefined
  metricThreshold: number | undefined
  /** Teacher calls in flight at once. */
  parallelism: number
  signal: AbortSignal
}

/** What bootstrapping found. */
export interface BootstrapResult {
  pool: FewShotPoolEntry[]
  /** Teacher calls made. */
  tried: number
  /** Calls whose teacher or metric threw, or whose score was not a finite number. */
  errors: number
}

/**
 * DSPy's `BootstrapFewShot`, deterministically: the teacher runs on the training examples in a
 * seeded random order, shown `teacherDemos` labelled demonstrations (never the example itself);
 * an example whose output passes the metric joins the pool with that output, in order, until
 * `poolSize` passed. Examples that failed get another pass, with a fresh draw of the teacher's
 * demonstrations, up to `maxRounds` passes. Calls run `parallelism` at a time, in order, and
 * the pool is filled in example order, so the result does not depend on which call ends first.
 */
export async function bootstrap(rng: Rng, s: BootstrapSettings): Promise<BootstrapResult> {
  const n = s.trainset.length
  let remaining = rng.shuffle(Array.from({ length: n }, (_, i) => i))
  const pool: FewShotPoolEntry[] = []
  let tried = 0
  let errors = 0
  for (let round = 0; round < s.maxRounds && pool.length < s.poolSize && remaining.length > 0; round++) {
    const shown = sampleIndices(rng, n, Math.min(s.teacherDemos, n))
    const failed: number[] = []
    const width = Math.max(1, s.parallelism)
    for (let start = 0; start < remaining.length && pool.length < s.poolSize; start += width) {
      const chunk = remaining.slice(start, start + width)
      const traces = await Promise.all(chunk.map((i) => trace(s, i, shown)))
      s.signal.throwIfAborted()
      tried += chunk.length
      chunk.forEach((i, k) => {
        const t = traces[k] as Trace
        if (t.kind === 'error') errors++
        if (t.kind === 'passed' && pool.length < s.poolSize) pool.push({ demo: i, output: t.output })
        else if (t.kind !== 'passed') failed.push(i)
      })
    }
    remaining = failed
  }
  return { pool, tried, errors }
}

type Trace = { kind: 'passed'; output: Json } | { kind: 'failed' } | { kind: 'error' }

/** Runs the teacher on example `i` with the labelled demonstrations `shown` (less `i` itself) and scores its output. */
async function trace(s: BootstrapSettings, i: number, shown: readonly number[]): Promise<Trace> {
  const demos = shown.filter((d) => d !== i)
  const config: Json = s.instruction === undefined ? { demos } : { demos, instruction: s.instruction }
  const example = s.trainset[i]
  try {
    const output: unknown = await s.teacher(config, example, { signal: s.signal })
    const score: unknown = await s.metric(example, output)
    if (typeof score !== 'number' || !Number.isFinite(score)) return { kind: 'error' }
    return passes(score, s) ? { kind: 'passed', output: asJson(output) } : { kind: 'failed' }
  } catch {
    return { kind: 'error' }
  }
}

function passes(score: number, s: BootstrapSettings): boolean {
  const maximize = s.direction === 'maximize'
  if (s.metricThreshold === undefined) return maximize ? score > 0 : score <= 0
  return maximize ? score >= s.metricThreshold : score <= s.metricThreshold
}

/** The output as stored in the state and shown to the program: itself when it is JSON, else null. */
function asJson(output: unknown): Json {
  if (output === undefined) return null
  try {
    canonicalJson(output)
    return output as Json
  } catch {
    return null
  }
}
