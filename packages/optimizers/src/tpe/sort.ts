/** Sorting helpers on typed arrays (ask time at large trial counts is dominated by per-dimension sorts). */

/**
 * The stable argsort of `values` (ties keep index order, like NumPy's
 * `argsort(kind="stable")`) and the sorted values: the native numeric sort of a copy, then
 * each index placed by binary search (ties in index order). NaN must not occur.
 */
export function argsortStable(values: Float64Array): { order: Uint32Array; sorted: Float64Array } {
  const n = values.length
  const sorted = values.slice().sort()
  const order = new Uint32Array(n)
  let ties: Map<number, number> | undefined
  for (let k = 0; k < n; k++) {
    const v = values[k]!
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid]! < v) lo = mid + 1
      else hi = mid
    }
    if (lo + 1 < n && sorted[lo + 1] === v) {
      ties ??= new Map()
      const used = ties.get(v) ?? 0
      ties.set(v, used + 1)
      lo += used
    }
    order[lo] = k
  }
  return { order, sorted }
}

const INDEX_BITS = 2 ** 20
const BUCKETS = 2 ** 32

/**
 * A stable argsort of `values`, all within `[lo, hi]`, for up to 2^20 values: each value is
 * quantized to 32 bits of its position in the range and packed with its index into one exact
 * integer-valued double, so one native numeric sort orders by value, then by index. Values
 * closer than `(hi − lo) / 2^32` count as ties (kept in index order), which is harmless for
 * the kernel widths computed from the order. Larger inputs fall back to `argsortStable`.
 */
export function argsortInRange(values: Float64Array, lo: number, hi: number): { order: Uint32Array; sorted: Float64Array } {
  const n = values.length
  if (n >= INDEX_BITS || !(hi > lo)) return argsortStable(values)
  const scale = (BUCKETS - 1) / (hi - lo)
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let q = Math.floor((values[i]! - lo) * scale)
    q = q < 0 ? 0 : q > BUCKETS - 1 ? BUCKETS - 1 : q
    keys[i] = q * INDEX_BITS + i
  }
  keys.sort()
  const order = new Uint32Array(n)
  const sorted = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const k = keys[i]!
    const idx = k - Math.floor(k / INDEX_BITS) * INDEX_BITS
    order[i] = idx
    sorted[i] = values[idx]!
  }
  return { order, sorted }
}

/** The `k`-th smallest of `values` (0-based), by quickselect on a copy. */
export function kthSmallest(values: Float64Array, k: number): number {
  const a = values.slice()
  let lo = 0
  let hi = a.length - 1
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i] = a[j]!
        a[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]!
  }
  return a[k]!
}
