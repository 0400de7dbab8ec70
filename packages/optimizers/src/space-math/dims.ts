import {
  flatParams,
  isConditional,
  type CategoricalParam,
  type FloatParam,
  type IntParam,
  type Json,
  type Param,
  type SearchSpace,
} from '@cairn/core'

/**
 * A float or int dimension, compiled. Values live in three spaces:
 * - the *value* space (what candidates hold: `low ≤ v ≤ top`);
 * - the *internal* space (`ln v` for log dimensions, `v` otherwise), bounded by `[lo, hi]`,
 *   which for discrete dimensions (ints and stepped floats) is widened by half a step on each
 *   side, so that rounding an internal value uniform in `[lo, hi]` gives every reachable value
 *   the same probability (as Optuna's `_SearchSpaceTransform` with `transform_step=True`);
 * - the *unit* space `[0, 1]`, an affine image of `[lo, hi]`.
 */
export interface NumericDim {
  readonly name: string
  readonly kind: 'float' | 'int'
  readonly param: FloatParam | IntParam
  readonly log: boolean
  /** The quantization step in value space: `param.step`, 1 for an int without one, undefined for a continuous float. */
  readonly step: number | undefined
  /** Distinct values for a discrete dimension (`Infinity` for a continuous float). */
  readonly count: number
  /** The largest reachable value: `low + k·step` for the largest `k` that stays within `high`; `high` otherwise. */
  readonly top: number
  /** Lower bound of the internal space. */
  readonly lo: number
  /** Upper bound of the internal space. */
  readonly hi: number
}

/** A categorical dimension, compiled: choices are matched by their JSON text. */
export interface CategoricalDim {
  readonly name: string
  readonly kind: 'categorical'
  readonly param: CategoricalParam
  readonly choices: readonly Json[]
  /** `JSON.stringify` of every choice, in order. */
  readonly keys: readonly string[]
  readonly count: number
}

/** One compiled dimension. */
export type Dim = NumericDim | CategoricalDim

/**
 * A search space compiled for sampling: dimensions in code-point order of their names. For a
 * conditional space, every parameter (nested ones too) has a dimension and a `choice` is a
 * categorical of its branch names; a candidate keeps only its active ones (`activeParams`).
 */
export interface CompiledSpace {
  readonly space: SearchSpace
  /** The space has a `choice`: candidates hold only their active dimensions. */
  readonly conditional: boolean
  /** All dimensions, sorted by name (stable across a store round-trip, which may reorder keys). */
  readonly dims: readonly Dim[]
  /** The numeric dimensions, in `dims` order. */
  readonly numeric: readonly NumericDim[]
  /** The categorical dimensions, in `dims` order. */
  readonly categorical: readonly CategoricalDim[]
}

const cache = new WeakMap<SearchSpace, CompiledSpace>()

/** Code-point order (not locale order), so every platform sorts names the same way. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Compiles (and caches per space object) the dimensions of `space`. */
export function compileSpace(space: SearchSpace): CompiledSpace {
  const hit = cache.get(space)
  if (hit) return hit
  const conditional = isConditional(space)
  const params: Record<string, Param> = conditional ? flatParams(space) : (space.params as Record<string, Param>)
  const names = Object.keys(params).sort(compareNames)
  const dims: Dim[] = []
  for (const name of names) {
    const p = params[name]
    if (p === undefined) continue
    if (p.kind === 'categorical') {
      dims.push({
        name,
        kind: 'categorical',
        param: p,
        choices: p.choices,
        keys: p.choices.map((c) => JSON.stringify(c)),
        count: p.choices.length,
      })
    } else {
      dims.push(compileNumeric(name, p))
    }
  }
  const compiled: CompiledSpace = {
    space,
    conditional,
    dims,
    numeric: dims.filter((d): d is NumericDim => d.kind !== 'categorical'),
    categorical: dims.filter((d): d is CategoricalDim => d.kind === 'categorical'),
  }
  cache.set(space, compiled)
  return compiled
}

function compileNumeric(name: string, p: FloatParam | IntParam): NumericDim {
  const step = p.step ?? (p.kind === 'int' ? 1 : undefined)
  if (p.log) {
    // Log dimensions carry no step (core refuses step + log); ints are rounded after exp().
    const lo = p.kind === 'int' ? Math.log(Math.max(p.low - 0.5, p.low / 2)) : Math.log(p.low)
    const hi = p.kind === 'int' ? Math.log(p.high + 0.5) : Math.log(p.high)
    return {
      name,
      kind: p.kind,
      param: p,
      log: true,
      step: p.kind === 'int' ? 1 : undefined,
      count: p.kind === 'int' ? p.high - p.low + 1 : Infinity,
      top: p.high,
      lo,
      hi,
    }
  }
  if (step === undefined) return { name, kind: p.kind, param: p, log: false, step, count: Infinity, top: p.high, lo: p.low, hi: p.high }
  const k = Math.floor((p.high - p.low) / step + 1e-9)
  const top = Math.min(p.high, cleanNumber(p.low + k * step))
  return { name, kind: p.kind, param: p, log: false, step, count: k + 1, top, lo: p.low - step / 2, hi: p.low + k * step + step / 2 }
}

/** Drops floating-point noise such as `0.30000000000000004` (14 significant digits). */
export function cleanNumber(v: number): number {
  return v === 0 ? 0 : Number.parseFloat(v.toPrecision(14))
}
