import type { Rng } from '@cairn/core'

/** A program configuration proposed by `fewShotSearch()`: which training examples serve as demonstrations, in order. */
export interface FewShotConfig {
  /** Indices into the session's trainset. */
  demos: number[]
  /** One of the `instructions` option, when it was given. */
  instruction?: string
}

/** `k` distinct integers of `[0, n)`, in random order (partial Fisher–Yates, `k` draws). */
export function sampleIndices(rng: Rng, n: number, k: number, exclude: readonly number[] = []): number[] {
  const excluded = new Set(exclude)
  const pool: number[] = []
  for (let i = 0; i < n; i++) if (!excluded.has(i)) pool.push(i)
  const take = Math.min(k, pool.length)
  for (let i = 0; i < take; i++) {
    const j = rng.int(i, pool.length - 1)
    const t = pool[i] as number
    pool[i] = pool[j] as number
    pool[j] = t
  }
  return pool.slice(0, take)
}

/** Settings of `propose`. */
export interface ProposeSettings {
  trainsetSize: number
  maxDemos: number
  /** Probability of a fresh random demo set instead of a mutation of the incumbent. */
  exploreProb: number
  instructions: readonly string[]
}

/** A canonical key for de-duplication. */
export function configKey(c: { demos: readonly number[]; instruction?: string | undefined }): string {
  return JSON.stringify([c.demos, c.instruction ?? null])
}

/**
 * One candidate: a fresh bootstrap (1 to `maxDemos` random examples) with probability
 * `exploreProb` (always when the incumbent carries no demos), otherwise a mutation of the
 * incumbent: replace (weight 6), add (3, while below `maxDemos`) or drop (1) one demonstration. With several instructions, it switches
 * to a random one with probability 1/3.
 */
export function propose(rng: Rng, incumbent: FewShotConfig, s: ProposeSettings): FewShotConfig {
  const n = s.trainsetSize
  let demos: number[]
  if (incumbent.demos.length === 0 || rng.next() < s.exploreProb) {
    demos = sampleIndices(rng, n, rng.int(1, Math.min(s.maxDemos, n)))
  } else {
    demos = incumbent.demos.slice()
    // Replacing a demo is the most useful move; adding one helps while there is room; dropping rarely.
    const ops: ('replace' | 'add' | 'drop')[] = []
    const weights: number[] = []
    if (demos.length < n) ops.push('replace'), weights.push(6)
    if (demos.length < Math.min(s.maxDemos, n)) ops.push('add'), weights.push(3)
    if (demos.length > 1) ops.push('drop'), weights.push(1)
    const op = ops.length > 0 ? (ops[rng.weighted(weights)] as 'replace' | 'add' | 'drop') : 'replace'
    if (op === 'drop') demos.splice(rng.int(0, demos.length - 1), 1)
    else {
      const fresh = sampleIndices(rng, n, 1, demos)[0]
      if (fresh !== undefined) {
        if (op === 'add') demos.splice(rng.int(0, demos.length), 0, fresh)
        else demos[rng.int(0, demos.length - 1)] = fresh
      }
    }
  }
  const out: FewShotConfig = { demos }
  if (s.instructions.length > 0) {
    const keep = incumbent.instruction !== undefined && s.instructions.includes(incumbent.instruction)
    out.instruction = keep && rng.next() >= 1 / 3 ? (incumbent.instruction as string) : rng.pick(s.instructions)
  }
  return out
}
