import type { Json, SearchSpace } from '@cairn/core'
import { cleanNumber, compileSpace, type CategoricalDim, type NumericDim } from './dims.js'

/** `v` clamped to `[lo, hi]`. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v
}

/** A value of a numeric dimension mapped to its internal space (`ln v` for log dims). NaN when `v` is not a finite number. */
export function toInternal(dim: NumericDim, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return Number.NaN
  if (dim.log) return v > 0 ? Math.log(v) : Number.NaN
  return v
}

/**
 * An internal value mapped back to a valid value of the dimension: `exp` for log dims, then
 * rounded to the nearest step (ints to the nearest integer) and clamped to `[low, top]`.
 * Any finite input gives a valid value.
 */
export function fromInternal(dim: NumericDim, x: number): number {
  const p = dim.param
  let v = dim.log ? Math.exp(x) : x
  if (!Number.isFinite(v)) v = x > 0 ? dim.top : p.low
  if (dim.step !== undefined && !dim.log) {
    const k = clamp(Math.round((v - p.low) / dim.step), 0, dim.count - 1)
    v = p.kind === 'int' ? p.low + k * dim.step : cleanNumber(p.low + k * dim.step)
  } else if (p.kind === 'int') {
    v = Math.round(v)
  }
  return clamp(v, p.low, dim.top)
}

/** The index of `value` among the choices (matched by JSON text), or -1. */
export function categoryIndex(dim: CategoricalDim, value: unknown): number {
  return dim.keys.indexOf(JSON.stringify(value))
}

/**
 * A candidate mapped into the unit cube, one coordinate per dimension of `compileSpace(space).dims`:
 * numeric dims affinely from their internal bounds, a categorical choice `i` of `n` to `(i + 0.5) / n`.
 * A missing or invalid value gives NaN.
 */
export function encodeUnit(space: SearchSpace, candidate: Json): Float64Array {
  const { dims } = compileSpace(space)
  const out = new Float64Array(dims.length)
  const c = (candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate) ? candidate : {}) as Record<string, Json>
  dims.forEach((d, i) => {
    const v = c[d.name]
    if (d.kind === 'categorical') {
      const idx = categoryIndex(d, v)
      out[i] = idx < 0 ? Number.NaN : (idx + 0.5) / d.count
    } else {
      out[i] = (toInternal(d, v) - d.lo) / (d.hi - d.lo)
    }
  })
  return out
}

/**
 * A point of the unit cube (coordinates clamped to `[0, 1]`; NaN reads as 0.5) mapped to a
 * valid candidate: numeric dims through `fromInternal`, categoricals by `floor(u · n)`.
 */
export function decodeUnit(space: SearchSpace, u: ArrayLike<number>): Record<string, Json> {
  const { dims } = compileSpace(space)
  const out: Record<string, Json> = {}
  dims.forEach((d, i) => {
    let x = u[i] ?? 0.5
    x = Number.isNaN(x) ? 0.5 : clamp(x, 0, 1)
    if (d.kind === 'categorical') out[d.name] = d.choices[Math.min(d.count - 1, Math.floor(x * d.count))] as Json
    else out[d.name] = fromInternal(d, d.lo + x * (d.hi - d.lo))
  })
  return out
}
