import type { Direction, Json, TrialView } from '@cairn/core'
import { categoryIndex, toInternal, type CompiledSpace } from '../space-math/index.js'

/**
 * The trials the model learns from, as columns: numeric dims in internal space, categoricals
 * as choice indices, and a loss (lower is better whatever the direction). Finished trials come
 * first in history order, then (constant liar) the pending ones with loss +Infinity.
 */
export interface Observations {
  /** Observations in total (finished + pending). */
  n: number
  /** Finished, usable trials (status ok, finite score, candidate fits the space). */
  nComplete: number
  /** One column per numeric dim (`space.numeric` order). */
  numeric: Float64Array[]
  /** One column per categorical dim (`space.categorical` order). */
  categorical: Int32Array[]
  loss: Float64Array
}

/** A candidate in model coordinates (undefined when it does not fit the space). */
interface Encoded {
  space: CompiledSpace
  numeric: Float64Array
  categorical: Int32Array
  fits: boolean
}

/**
 * Encodings of history candidates, by candidate object. History objects live as long as the
 * session, and re-reading 1,000 JSON candidates per ask costs more than the rest of an ask's
 * bookkeeping. A pure function of (candidate, space), so it never changes what is proposed.
 */
const encodedCache = new WeakMap<object, Encoded>()

function encode(space: CompiledSpace, candidate: Json): Encoded | undefined {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return undefined
  const hit = encodedCache.get(candidate)
  if (hit && hit.space === space) return hit.fits ? hit : undefined
  const c = candidate as Record<string, Json>
  const e: Encoded = {
    space,
    numeric: new Float64Array(space.numeric.length),
    categorical: new Int32Array(space.categorical.length),
    fits: true,
  }
  for (let j = 0; j < space.numeric.length && e.fits; j++) {
    const d = space.numeric[j]!
    const x = toInternal(d, c[d.name])
    if (!(x >= d.lo && x <= d.hi)) e.fits = false
    e.numeric[j] = x
  }
  for (let j = 0; j < space.categorical.length && e.fits; j++) {
    const d = space.categorical[j]!
    const k = categoryIndex(d, c[d.name])
    if (k < 0) e.fits = false
    e.categorical[j] = k
  }
  encodedCache.set(candidate, e)
  return e.fits ? e : undefined
}

/** Reads the candidate's dimensions into the columns at row `row`; false when it does not fit the space. */
function readRow(space: CompiledSpace, candidate: Json, row: number, obs: Observations): boolean {
  const e = encode(space, candidate)
  if (!e) return false
  for (let j = 0; j < e.numeric.length; j++) obs.numeric[j]![row] = e.numeric[j]!
  for (let j = 0; j < e.categorical.length; j++) obs.categorical[j]![row] = e.categorical[j]!
  return true
}

/**
 * Collects observations. Failed trials (status `error`, which is how the driver records NaN
 * scores too), non-finite scores and candidates that do not fit the space are left out, so
 * they never poison the model.
 */
export function collectObservations(
  space: CompiledSpace,
  history: readonly TrialView[],
  pending: readonly { candidate: Json }[],
  direction: Direction,
): Observations {
  const cap = history.length + pending.length
  const obs: Observations = {
    n: 0,
    nComplete: 0,
    numeric: space.numeric.map(() => new Float64Array(cap)),
    categorical: space.categorical.map(() => new Int32Array(cap)),
    loss: new Float64Array(cap),
  }
  const sign = direction === 'maximize' ? -1 : 1
  let row = 0
  for (const t of history) {
    if (t.status !== 'ok' || typeof t.score !== 'number' || !Number.isFinite(t.score)) continue
    if (!readRow(space, t.candidate, row, obs)) continue
    obs.loss[row] = sign * t.score
    row++
  }
  obs.nComplete = row
  for (const p of pending) {
    if (!readRow(space, p.candidate, row, obs)) continue
    obs.loss[row] = Infinity
    row++
  }
  obs.n = row
  return obs
}

/**
 * Splits observations into the good group (the `nBelow` lowest finite losses, ties to the
 * older trial) and the rest. Both index lists are in observation (trial) order, which the
 * age-based weights rely on. O(n · nBelow) at worst, O(n) typically.
 */
export function splitObservations(obs: Observations, nBelow: number): { below: Uint32Array; above: Uint32Array } {
  const k = Math.min(nBelow, obs.nComplete)
  // Insertion into a sorted list of the k best (strict < keeps the older on ties).
  const best = new Int32Array(k)
  let size = 0
  for (let i = 0; k > 0 && i < obs.nComplete; i++) {
    const l = obs.loss[i]!
    if (size === k && !(l < obs.loss[best[size - 1]!]!)) continue
    let pos = size < k ? size : k - 1
    while (pos > 0 && l < obs.loss[best[pos - 1]!]!) {
      best[pos] = best[pos - 1]!
      pos--
    }
    best[pos] = i
    if (size < k) size++
  }
  const isBelow = new Uint8Array(obs.n)
  for (let i = 0; i < size; i++) isBelow[best[i]!] = 1
  const below = new Uint32Array(size)
  const above = new Uint32Array(obs.n - size)
  let b = 0
  let a = 0
  for (let i = 0; i < obs.n; i++) {
    if (isBelow[i]) below[b++] = i
    else above[a++] = i
  }
  return { below, above }
}
