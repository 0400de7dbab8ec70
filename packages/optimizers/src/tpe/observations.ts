import type { Direction, Json, TrialView } from '@cairn/core'
import { categoryIndex, toInternal, type CompiledSpace } from '../space-math/index.js'

/**
 * The trials the model learns from, as columns: numeric dims in internal space, categoricals
 * as choice indices, and a rank key `(stage, loss)` (lower is better whatever the direction).
 * Finished trials (complete and pruned) come first in history order, then (constant liar) the
 * pending ones.
 *
 * As Optuna 3.1's TPE (`_get_observation_pairs`): a complete trial has stage −∞ and its score
 * as loss; a pruned trial has stage −(the last step it reported) and its value there as loss,
 * so complete trials rank first, then pruned ones by how far they got, then by value; a pruned
 * trial without a curve has stage 1 (after every pruned trial with one); a pending trial has
 * stage and loss +∞. Failed trials are left out.
 */
export interface Observations {
  /** Observations in total (finished + pending). */
  n: number
  /** Finished, usable trials (complete with a finite score, or pruned; candidate fits the space). */
  nFinished: number
  /** The first part of each observation's rank key (see above). */
  stage: Float64Array
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
 * scores too), complete trials with non-finite scores and candidates that do not fit the
 * space are left out, so they never poison the model. Pruned trials are kept, ranked by how
 * far they got (see `Observations`).
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
    nFinished: 0,
    stage: new Float64Array(cap),
    numeric: space.numeric.map(() => new Float64Array(cap)),
    categorical: space.categorical.map(() => new Int32Array(cap)),
    loss: new Float64Array(cap),
  }
  const sign = direction === 'maximize' ? -1 : 1
  let row = 0
  for (const t of history) {
    const key = rankKey(t, sign)
    if (!key) continue
    if (!readRow(space, t.candidate, row, obs)) continue
    obs.stage[row] = key[0]
    obs.loss[row] = key[1]
    row++
  }
  obs.nFinished = row
  for (const p of pending) {
    if (!readRow(space, p.candidate, row, obs)) continue
    obs.stage[row] = Infinity
    obs.loss[row] = Infinity
    row++
  }
  obs.n = row
  return obs
}

/**
 * The rank key `[stage, loss]` of a finished trial (see `Observations`), or undefined for a
 * trial the model leaves out. `sign` is −1 when the session maximizes.
 */
export function rankKey(t: TrialView, sign: number): [number, number] | undefined {
  if (t.status === 'ok') return typeof t.score === 'number' && Number.isFinite(t.score) ? [-Infinity, sign * t.score] : undefined
  if (t.status !== 'pruned') return undefined
  const curve = t.intermediate
  const last = curve && curve.length > 0 ? curve[curve.length - 1]! : undefined
  if (last) return [-last.step, Number.isNaN(last.value) ? Infinity : sign * last.value]
  // Optuna ranks a pruned trial without intermediate values as (1, 0); its score, when known, orders such trials.
  return [1, typeof t.score === 'number' && Number.isFinite(t.score) ? sign * t.score : 0]
}

/** True when observation `a` ranks strictly before `b`: by stage, then by loss (Optuna's lexicographic `(−step, value)`). */
export function ranksBefore(obs: Observations, a: number, b: number): boolean {
  const sa = obs.stage[a]!
  const sb = obs.stage[b]!
  return sa < sb || (sa === sb && obs.loss[a]! < obs.loss[b]!)
}

/**
 * Splits observations into the good group (the `nBelow` best finished trials by rank key,
 * ties to the older trial, as NumPy's stable argsort) and the rest. Both index lists are in
 * observation (trial) order, which the age-based weights rely on. O(n · nBelow) at worst,
 * O(n) typically.
 */
export function splitObservations(obs: Observations, nBelow: number): { below: Uint32Array; above: Uint32Array } {
  const k = Math.min(nBelow, obs.nFinished)
  // Insertion into a sorted list of the k best (strict order keeps the older on ties).
  const best = new Int32Array(k)
  let size = 0
  for (let i = 0; k > 0 && i < obs.nFinished; i++) {
    if (size === k && !ranksBefore(obs, i, best[size - 1]!)) continue
    let pos = size < k ? size : k - 1
    while (pos > 0 && ranksBefore(obs, i, best[pos - 1]!)) {
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
