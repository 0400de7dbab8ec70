import { askTell, type Json, type Optimizer, type Sampler, type SearchSpace } from '@cairn/core'
import { OPTIMIZER_IDS } from './ids.js'
import { invalidInput } from './common/errors.js'
import { OptionReader } from './common/options.js'
import { requireSpace } from './common/require-space.js'
import { jsonStateCodec } from './common/state-codec.js'
import { cleanNumber, compileSpace, fromInternal, type Dim } from './space-math/index.js'
import { conditionalPoint, gridNode, valuesByName, type GridNode } from './grid-conditional.js'

/** Options of `gridSearch()`. */
export interface GridSearchOptions {
  /** Points per continuous float dimension, evenly spaced from low to high (log-spaced for log dims). Default 5. */
  resolution?: number
  /**
   * Most values taken from one int or stepped-float dimension. A dimension with more values
   * contributes this many, evenly strided from low to its top value (log-strided for log
   * ints, duplicates dropped). Default 1,000.
   */
  maxDiscreteValues?: number
}

/** The state of `gridSearch()`: the index of the next grid point. */
export type GridSearchState = { v: 1; next: number }

const NAME = 'gridSearch'
const isState = (v: unknown): v is GridSearchState => {
  const s = v as GridSearchState | null
  return typeof s === 'object' && s !== null && s.v === 1 && Number.isSafeInteger(s.next) && s.next >= 0
}

/** The values one dimension contributes to the grid, in ascending order (choices in their order). */
export function gridValues(dim: Dim, resolution: number, maxDiscrete: number): Json[] {
  if (dim.kind === 'categorical') return [...dim.choices]
  const p = dim.param
  if (dim.step === undefined) {
    // A continuous float: `resolution` points evenly spaced in internal (log or linear) space.
    if (resolution === 1) return [dim.log ? cleanNumber(Math.exp((dim.lo + dim.hi) / 2)) : cleanNumber((p.low + p.high) / 2)]
    const out: number[] = []
    for (let i = 0; i < resolution; i++) {
      if (i === 0) out.push(p.low)
      else if (i === resolution - 1) out.push(p.high)
      else {
        const x = dim.lo + ((dim.hi - dim.lo) * i) / (resolution - 1)
        out.push(Math.min(p.high, Math.max(p.low, cleanNumber(dim.log ? Math.exp(x) : x))))
      }
    }
    return dedupe(out)
  }
  if (dim.count <= maxDiscrete) {
    const out: number[] = []
    for (let k = 0; k < dim.count; k++) out.push(p.kind === 'int' ? p.low + k * dim.step : cleanNumber(p.low + k * dim.step))
    return out
  }
  // Too many values: a stride (log-spaced for log ints), always including both ends.
  const out: number[] = []
  const lo = dim.log ? Math.log(p.low) : p.low
  const hi = dim.log ? Math.log(dim.top) : dim.top
  for (let i = 0; i < maxDiscrete; i++) {
    const x = maxDiscrete === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (maxDiscrete - 1)
    out.push(fromInternal(dim, x))
  }
  return dedupe(out)
}

function dedupe(values: number[]): number[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1])
}

interface Grid {
  names: string[]
  values: Json[][]
  total: number
  /** Conditional spaces: the union of the branches' grids (see `GridNode`). */
  node?: GridNode
}

const grids = new WeakMap<SearchSpace, Map<string, Grid>>()

function gridOf(space: SearchSpace, resolution: number, maxDiscrete: number): Grid {
  let perSpace = grids.get(space)
  if (!perSpace) grids.set(space, (perSpace = new Map()))
  const key = `${resolution}/${maxDiscrete}`
  const hit = perSpace.get(key)
  if (hit) return hit
  const { dims, conditional } = compileSpace(space)
  const values = dims.map((d) => gridValues(d, resolution, maxDiscrete))
  const node = conditional ? gridNode(space.params, valuesByName(dims, values)) : undefined
  let total = 1
  if (node) total = node.total
  else for (const v of values) total *= v.length
  if (!Number.isSafeInteger(total))
    throw invalidInput(NAME, `the grid has ${total} points, too many to enumerate; lower resolution or maxDiscreteValues`)
  const grid: Grid = { names: dims.map((d) => d.name), values, total, ...(node ? { node } : {}) }
  perSpace.set(key, grid)
  return grid
}

/** The grid point with index `idx`: the LAST dimension (by name) varies fastest. */
function pointAt(grid: Grid, idx: number): Record<string, Json> {
  if (grid.node) return conditionalPoint(grid.node, idx)
  const out: Record<string, Json> = {}
  let rest = idx
  for (let i = grid.names.length - 1; i >= 0; i--) {
    const vals = grid.values[i] as Json[]
    out[grid.names[i] as string] = vals[rest % vals.length] as Json
    rest = Math.floor(rest / vals.length)
  }
  // Keys in name order, like every other optimizer of this package.
  const sorted: Record<string, Json> = {}
  for (const n of grid.names) sorted[n] = out[n] as Json
  return sorted
}

/**
 * Grid search: every combination of the dimensions' grid values exactly once, in a fixed
 * order (dimensions sorted by name, the last varying fastest), then halts with reason
 * `exhausted`. Continuous floats contribute `resolution` evenly spaced points (log-spaced for
 * log dims), ints and stepped floats all their values (strided down to `maxDiscreteValues`
 * when there are more), categoricals all their choices. Uses no randomness; the state is the
 * next grid index, so a resumed session continues mid-grid.
 *
 * Conditional spaces (`choice`): the grid is the union of each branch's grid, not a product
 * over inactive parameters — a choice walks its branches in name order, and for each branch
 * every point of that branch's own grid (its parameters' product, nested choices likewise),
 * combined with the rest of the space as any other dimension. Every point holds only its
 * active parameters.
 *
 * ```ts
 * await compile({ optimizer: gridSearch({ resolution: 4 }), space: space({ lr: float(1e-4, 1e-1, { log: true }), depth: int(2, 6) }), objective })
 * ```
 */
export function gridSearch(options: GridSearchOptions = {}): Optimizer<GridSearchState> {
  const r = new OptionReader(NAME, options, ['resolution', 'maxDiscreteValues'])
  const resolution = r.int('resolution', 5, 1, 1_000_000)
  const maxDiscrete = r.int('maxDiscreteValues', 1000, 2, 1_000_000)
  const sampler: Sampler<GridSearchState> = {
    id: OPTIMIZER_IDS.grid,
    // Uses no randomness: every seed walks the same grid.
    capabilities: { deterministic: true, flatSpace: true, conditionalSpace: true, multiObjective: true },
    stateVersion: 1,
    options: { resolution, maxDiscreteValues: maxDiscrete },
    init: (ctx) => {
      gridOf(requireSpace(NAME, ctx), resolution, maxDiscrete)
      return { v: 1, next: 0 }
    },
    ask: (state, ctx) => {
      const grid = gridOf(requireSpace(NAME, ctx), resolution, maxDiscrete)
      if (state.next >= grid.total) return { kind: 'halt', state, reason: 'exhausted' }
      return { kind: 'candidate', state: { v: 1, next: state.next + 1 }, candidate: pointAt(grid, state.next) }
    },
    ...jsonStateCodec(NAME, 1, isState),
  }
  return askTell(sampler)
}
