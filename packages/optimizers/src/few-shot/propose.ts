import type { Json, Rng } from '@cairn/core'

/**
 * A program configuration proposed by `fewShotSearch()`, as the program receives it: which
 * training examples serve as demonstrations, in order, and what to show for each.
 */
export interface FewShotConfig {
  /** Indices into the session's trainset: bootstrapped demonstrations first, then labelled ones. */
  demos: number[]
  /**
   * Present when some demonstrations are bootstrapped: aligned with `demos`, the teacher's
   * output to show for each (its trace), or null for a labelled demonstration (show its label).
   */
  outputs?: Json[]
  /** One of the `instructions` option, when it was given. */
  instruction?: string
}

/** A configuration as the search handles it: bootstrapped and labelled demonstrations apart. */
export interface DemoSet {
  /** Trainset indices of bootstrapped demonstrations (members of the pool). */
  boot: number[]
  /** Trainset indices of labelled demonstrations (never in `boot`). */
  labeled: number[]
  instruction?: string
}

/** What demo sets may hold. */
export interface DemoSpace {
  trainsetSize: number
  /** Trainset indices of the bootstrapped demonstrations to choose from. */
  pool: readonly number[]
  maxBootstrapped: number
  maxLabeled: number
  /**
   * Most demonstrations in all: the trainset size, less one when candidates are scored on the
   * training examples they do not use (there must be one left to score on).
   */
  maxTotal: number
  /** Probability of a fresh random demo set instead of a mutation of the incumbent. */
  exploreProb: number
  instructions: readonly string[]
}

/** `k` distinct integers of `[0, n)` not in `exclude`, in random order (partial Fisher–Yates, `k` draws). */
export function sampleIndices(rng: Rng, n: number, k: number, exclude: readonly number[] = []): number[] {
  const excluded = new Set(exclude)
  const pool: number[] = []
  for (let i = 0; i < n; i++) if (!excluded.has(i)) pool.push(i)
  return sampleFrom(rng, pool, k)
}

/** `k` distinct items of `items`, in random order. */
function sampleFrom<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = items.slice()
  const take = Math.min(k, pool.length)
  for (let i = 0; i < take; i++) {
    const j = rng.int(i, pool.length - 1)
    const t = pool[i] as T
    pool[i] = pool[j] as T
    pool[j] = t
  }
  return pool.slice(0, take)
}

/** A canonical key for de-duplication. */
export function demoSetKey(s: DemoSet): string {
  return JSON.stringify([s.boot, s.labeled, s.instruction ?? null])
}

/** Most bootstrapped demonstrations a set may hold. */
function bootCap(s: DemoSpace): number {
  return Math.min(s.maxBootstrapped, s.pool.length, s.maxTotal)
}

/** Most labelled demonstrations a set with `boot` bootstrapped ones may hold (DSPy: they fill up to `maxLabeled` in all). */
function labeledCap(s: DemoSpace, boot: number): number {
  return Math.max(0, Math.min(s.maxLabeled - boot, s.maxTotal - boot))
}

/**
 * DSPy's `BootstrapFewShot` result: the first bootstrapped demonstrations of the pool (in the
 * order they were found), then labelled ones drawn at random up to `maxLabeled` in all.
 */
export function bootstrapFewShotSet(rng: Rng, s: DemoSpace, instruction: string | undefined): DemoSet {
  const boot = s.pool.slice(0, bootCap(s))
  const labeled = sampleIndices(rng, s.trainsetSize, labeledCap(s, boot.length), boot)
  return withInstruction({ boot, labeled }, instruction)
}

/** A random demo set: 1 to `maxBootstrapped` bootstrapped demonstrations (when the pool has some), then 0 or more labelled ones. */
function fresh(rng: Rng, s: DemoSpace): DemoSet {
  const bc = bootCap(s)
  const b = bc > 0 ? rng.int(1, bc) : 0
  const boot = sampleFrom(rng, s.pool, b)
  const lc = labeledCap(s, b)
  const lmin = b === 0 ? Math.min(1, lc) : 0
  const l = lc > lmin ? rng.int(lmin, lc) : lmin
  return { boot, labeled: sampleIndices(rng, s.trainsetSize, l, boot) }
}

/**
 * One candidate: a fresh random demo set with probability `exploreProb` (always when the
 * incumbent carries no demos), otherwise a mutation of the incumbent: replace (weight 6), add
 * (3, while there is room) or drop (1) one demonstration. A demonstration replaced or added is
 * any training example not in the set, drawn uniformly: bootstrapped (shown with its trace)
 * when it is in the pool and there is room for one more, labelled otherwise. With several
 * instructions, it switches to a random one with probability 1/3.
 */
export function propose(rng: Rng, incumbent: DemoSet, s: DemoSpace): DemoSet {
  const total = incumbent.boot.length + incumbent.labeled.length
  const set = total === 0 || rng.next() < s.exploreProb ? fresh(rng, s) : mutate(rng, incumbent, s)
  if (s.instructions.length === 0) return set
  const keep = incumbent.instruction !== undefined && s.instructions.includes(incumbent.instruction)
  return withInstruction(set, keep && rng.next() >= 1 / 3 ? incumbent.instruction : rng.pick(s.instructions))
}

function mutate(rng: Rng, incumbent: DemoSet, s: DemoSpace): DemoSet {
  const set = { boot: incumbent.boot.slice(), labeled: incumbent.labeled.slice() }
  const total = set.boot.length + set.labeled.length
  const unused = s.trainsetSize - total
  const ops: ('replace' | 'add' | 'drop')[] = []
  const weights: number[] = []
  // Replacing a demo is the most useful move; adding one helps while there is room; dropping rarely.
  if (unused > 0) ops.push('replace'), weights.push(6)
  if (unused > 0 && (roomForBoot(s, set) || roomForLabeled(s, set))) ops.push('add'), weights.push(3)
  if (total > 1) ops.push('drop'), weights.push(1)
  if (ops.length === 0) return fresh(rng, s)
  const op = ops[rng.weighted(weights)] as 'replace' | 'add' | 'drop'
  const before = [...set.boot, ...set.labeled]
  if (op !== 'add') {
    const j = rng.int(0, total - 1)
    if (j < set.boot.length) set.boot.splice(j, 1)
    else set.labeled.splice(j - set.boot.length, 1)
  }
  if (op !== 'drop') insert(rng, set, s, before)
  return set
}

function roomForBoot(s: DemoSpace, set: DemoSet): boolean {
  return set.boot.length < bootCap(s) && set.labeled.length <= labeledCap(s, set.boot.length + 1)
}

function roomForLabeled(s: DemoSpace, set: DemoSet): boolean {
  return set.labeled.length < labeledCap(s, set.boot.length)
}

/**
 * Adds a training example not in `exclude`, at a random place of its part: bootstrapped when it
 * is in the pool and there is room, else labelled; when only bootstrapped ones fit, an unused
 * pool member instead.
 */
function insert(rng: Rng, set: DemoSet, s: DemoSpace, exclude: readonly number[]): void {
  const x = sampleIndices(rng, s.trainsetSize, 1, exclude)[0]
  const boot = roomForBoot(s, set)
  if (x !== undefined && boot && s.pool.includes(x)) set.boot.splice(rng.int(0, set.boot.length), 0, x)
  else if (x !== undefined && roomForLabeled(s, set)) set.labeled.splice(rng.int(0, set.labeled.length), 0, x)
  else if (boot) {
    const unusedPool = s.pool.filter((i) => !exclude.includes(i))
    if (unusedPool.length > 0) set.boot.splice(rng.int(0, set.boot.length), 0, rng.pick(unusedPool))
  }
}

function withInstruction(set: DemoSet, instruction: string | undefined): DemoSet {
  return instruction === undefined ? set : { ...set, instruction }
}
