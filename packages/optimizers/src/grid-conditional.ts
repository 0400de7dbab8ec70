import { branchNames, isChoice, type Json, type SpaceParam } from '@cairn/core'
import { compareNames, type Dim } from './space-math/index.js'

/**
 * The grid of a conditional space: the union of each branch's grid. A group of parameters
 * (the top level, or one branch) is the product of its factors in name order, the last
 * varying fastest, as the flat grid; a plain dimension contributes its grid values; a `choice`
 * contributes, branch after branch (names in code-point order), every point of that branch's
 * own grid (an empty branch one point). So `{ model: choice({ a: { x }, b: { y } }) }` walks
 * all points of `x` with `model: 'a'`, then all of `y` with `model: 'b'` — never a product
 * of inactive parameters.
 */
export interface GridNode {
  /** Points of this group's grid. */
  readonly total: number
  /** Writes the values of point `idx` (0 ≤ idx < total) into `out`. */
  write(idx: number, out: Record<string, Json>): void
}

/** Builds the grid node of a group of parameters; `valuesOf(name)` gives a plain dimension's grid values. */
export function gridNode(params: Record<string, SpaceParam>, valuesOf: (name: string) => Json[]): GridNode {
  const names = Object.keys(params).sort(compareNames)
  const factors = names.map((name) => factorOf(name, params[name] as SpaceParam, valuesOf))
  let total = 1
  for (const f of factors) total *= f.total
  return {
    total,
    write(idx, out) {
      let rest = idx
      for (let i = factors.length - 1; i >= 0; i--) {
        const f = factors[i] as GridNode
        f.write(rest % f.total, out)
        rest = Math.floor(rest / f.total)
      }
    },
  }
}

function factorOf(name: string, p: SpaceParam, valuesOf: (name: string) => Json[]): GridNode {
  if (!isChoice(p)) {
    const values = valuesOf(name)
    return { total: values.length, write: (idx, out) => void (out[name] = values[idx] as Json) }
  }
  const branches = branchNames(p).map((b) => ({ branch: b, node: gridNode(p.branches[b] as Record<string, SpaceParam>, valuesOf) }))
  let total = 0
  for (const b of branches) total += b.node.total
  return {
    total,
    write(idx, out) {
      let rest = idx
      for (const b of branches) {
        if (rest < b.node.total) {
          out[name] = b.branch
          b.node.write(rest, out)
          return
        }
        rest -= b.node.total
      }
    },
  }
}

/** The grid values of every dimension of a compiled conditional space, by name. */
export function valuesByName(dims: readonly Dim[], values: readonly Json[][]): (name: string) => Json[] {
  const map = new Map<string, Json[]>()
  for (let i = 0; i < dims.length; i++) map.set((dims[i] as Dim).name, values[i] as Json[])
  return (name) => map.get(name) ?? []
}

/** The grid point `idx` of a conditional space, keys in name order. */
export function conditionalPoint(node: GridNode, idx: number): Record<string, Json> {
  const out: Record<string, Json> = {}
  node.write(idx, out)
  const sorted: Record<string, Json> = {}
  for (const n of Object.keys(out).sort(compareNames)) sorted[n] = out[n] as Json
  return sorted
}
