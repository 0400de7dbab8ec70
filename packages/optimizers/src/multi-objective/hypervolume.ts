import { invalidInput } from '../common/errors.js'

/**
 * The hypervolume of `points` (every objective minimized) with respect to `reference`: the
 * measure of the region dominated by at least one point and bounded by the reference point.
 * Points that do not dominate the reference in every objective add nothing. Exact: a sweep in
 * two dimensions (O(n log n)), the WFG algorithm (While et al. 2012) in three or more, which is
 * fast for fronts of a few hundred points in 3–4 objectives.
 *
 * ```ts
 * hypervolume([[1, 2], [2, 1]], [3, 3]) // 3
 * ```
 *
 * To measure a maximized objective, negate it in both the points and the reference.
 */
export function hypervolume(points: readonly ArrayLike<number>[], reference: ArrayLike<number>): number {
  const m = reference.length
  if (m < 1) throw invalidInput('hypervolume', 'the reference point needs at least one objective')
  const inside: Float64Array[] = []
  for (const p of points) {
    if (p.length !== m) throw invalidInput('hypervolume', `a point has ${p.length} objectives, the reference point ${m}`)
    let ok = true
    for (let k = 0; k < m; k++) if (!(p[k]! < reference[k]!)) ok = false
    if (ok) inside.push(Float64Array.from(p))
  }
  if (inside.length === 0) return 0
  const ref = Float64Array.from(reference)
  if (m === 1) return ref[0]! - Math.min(...inside.map((p) => p[0]!))
  return wfg(nondominated(inside), ref)
}

/** The points no other point weakly dominates (duplicates kept once). */
function nondominated(points: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    let keep = true
    for (let j = 0; j < points.length && keep; j++) {
      if (i === j) continue
      const q = points[j]!
      let le = true
      let lt = false
      for (let k = 0; k < p.length; k++) {
        if (q[k]! > p[k]!) le = false
        else if (q[k]! < p[k]!) lt = true
      }
      // q dominates p, or q equals p and comes first.
      if (le && (lt || j < i)) keep = false
    }
    if (keep) out.push(p)
  }
  return out
}

function hv2(points: Float64Array[], ref: Float64Array): number {
  const sorted = points.slice().sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  let volume = 0
  let bestY = ref[1]!
  for (const p of sorted) {
    if (p[1]! < bestY) {
      volume += (ref[0]! - p[0]!) * (bestY - p[1]!)
      bestY = p[1]!
    }
  }
  return volume
}

/** WFG on a non-dominated set: Σ exclusive hypervolumes, points sorted worst-first in the last objective. */
function wfg(points: Float64Array[], ref: Float64Array): number {
  if (points.length === 0) return 0
  if (ref.length === 2) return hv2(points, ref)
  if (points.length === 1) return inclusive(points[0]!, ref)
  const m = ref.length
  const sorted = points.slice().sort((a, b) => b[m - 1]! - a[m - 1]!)
  let volume = 0
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!
    const limited: Float64Array[] = []
    for (let j = i + 1; j < sorted.length; j++) {
      const q = sorted[j]!
      const l = new Float64Array(m)
      for (let k = 0; k < m; k++) l[k] = Math.max(p[k]!, q[k]!)
      limited.push(l)
    }
    volume += inclusive(p, ref) - wfg(nondominated(limited), ref)
  }
  return volume
}

function inclusive(p: Float64Array, ref: Float64Array): number {
  let v = 1
  for (let k = 0; k < ref.length; k++) v *= ref[k]! - p[k]!
  return v
}
