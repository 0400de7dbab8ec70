/**
 * Problems of bench/multi-objective.ts (their Python twins are in
 * bench/optuna/multi_objective.py: same definitions, same variable names).
 */
import { float, space, type Json, type SearchSpace } from '@cairn/core'

type Params = Record<string, Json>

/** A multi-objective problem: variables `x00 …` in [0, 1], every objective minimized. */
export interface MoProblem {
  name: string
  nVars: number
  nObjectives: number
  space: SearchSpace
  /** The hypervolume reference point (the same for every optimizer, ours and Optuna's). */
  reference: number[]
  f(x: readonly number[]): number[]
}

const varName = (i: number): string => `x${String(i).padStart(2, '0')}`

/** The variables of a candidate, in order. */
export function varsOf(p: Params, n: number): number[] {
  return Array.from({ length: n }, (_, i) => p[varName(i)] as number)
}

function unitSpace(n: number): SearchSpace {
  return space(Object.fromEntries(Array.from({ length: n }, (_, i) => [varName(i), float(0, 1)])))
}

function zdtG(x: readonly number[]): number {
  let s = 0
  for (let i = 1; i < x.length; i++) s += x[i]!
  return 1 + (9 * s) / (x.length - 1)
}

/** ZDT1 (Zitzler, Deb, Thiele 2000): convex front f2 = 1 − √f1 at g = 1. */
export function zdt1(x: readonly number[]): number[] {
  const g = zdtG(x)
  const f1 = x[0]!
  return [f1, g * (1 - Math.sqrt(f1 / g))]
}

/** ZDT2: concave front f2 = 1 − f1² at g = 1. */
export function zdt2(x: readonly number[]): number[] {
  const g = zdtG(x)
  const f1 = x[0]!
  return [f1, g * (1 - (f1 / g) ** 2)]
}

/** ZDT3: a front of five disconnected pieces, f2 = 1 − √f1 − f1·sin(10π·f1) at g = 1 (f2 goes below 0). */
export function zdt3(x: readonly number[]): number[] {
  const g = zdtG(x)
  const f1 = x[0]!
  const r = f1 / g
  return [f1, g * (1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * f1))]
}

/** DTLZ2 (Deb, Thiele, Laumanns, Zitzler 2002) with `m` objectives: front on the unit sphere's positive orthant. */
export function dtlz2(x: readonly number[], m = 3): number[] {
  let g = 0
  for (let i = m - 1; i < x.length; i++) g += (x[i]! - 0.5) ** 2
  const out: number[] = []
  for (let i = 0; i < m; i++) {
    let v = 1 + g
    for (let j = 0; j < m - 1 - i; j++) v *= Math.cos((x[j]! * Math.PI) / 2)
    if (i > 0) v *= Math.sin((x[m - 1 - i]! * Math.PI) / 2)
    out.push(v)
  }
  return out
}

/**
 * ZDT1, ZDT2 and ZDT3 with 30 variables (their usual size, as in Optuna's benchmarks), DTLZ2
 * with 3 objectives and 12 variables (k = 10). Reference points bound every reachable value
 * (ZDT1/2: f1 ≤ 1, f2 ≤ g ≤ 10; ZDT3: f2 ≤ g − √(f1·g) + f1 < 11; DTLZ2: fi ≤ 1 + g ≤ 3.5), so every
 * trial counts.
 */
export const MO_PROBLEMS: readonly MoProblem[] = [
  { name: 'zdt1', nVars: 30, nObjectives: 2, space: unitSpace(30), reference: [1.1, 11], f: zdt1 },
  { name: 'zdt2', nVars: 30, nObjectives: 2, space: unitSpace(30), reference: [1.1, 11], f: zdt2 },
  { name: 'dtlz2', nVars: 12, nObjectives: 3, space: unitSpace(12), reference: [3.5, 3.5, 3.5], f: (x) => dtlz2(x, 3) },
  { name: 'zdt3', nVars: 30, nObjectives: 2, space: unitSpace(30), reference: [1.1, 11], f: zdt3 },
]

/** A constrained problem: one minimized value and constraints (each ≤ 0 is feasible). */
export interface ConstrainedProblem {
  name: string
  space: SearchSpace
  f(p: Params): { value: number; constraints: number[] }
}

/** Gardner et al. (2014), problem 1, on [0, 6]²: cos(2x1)·cos(x2) + sin(x1) subject to cos(x1)·cos(x2) − sin(x1)·sin(x2) ≤ 0.5. */
function gardner(p: Params): { value: number; constraints: number[] } {
  const x1 = p.x1 as number
  const x2 = p.x2 as number
  return {
    value: Math.cos(2 * x1) * Math.cos(x2) + Math.sin(x1),
    constraints: [Math.cos(x1) * Math.cos(x2) - Math.sin(x1) * Math.sin(x2) - 0.5],
  }
}

/** Branin on [−5, 10] × [0, 15] subject to (x1 − 2.5)² + (x2 − 7.5)² ≤ 50 (Gelbart et al. 2014); its best feasible value is Branin's minimum 0.397887 at (π, 2.275). */
function braninC(p: Params): { value: number; constraints: number[] } {
  const x1 = p.x1 as number
  const x2 = p.x2 as number
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  const t = 1 / (8 * Math.PI)
  return {
    value: (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10,
    constraints: [(x1 - 2.5) ** 2 + (x2 - 7.5) ** 2 - 50],
  }
}

export const CONSTRAINED_PROBLEMS: readonly ConstrainedProblem[] = [
  { name: 'gardner', space: space({ x1: float(0, 6), x2: float(0, 6) }), f: gardner },
  { name: 'branin-c', space: space({ x1: float(-5, 10), x2: float(0, 15) }), f: braninC },
]
