/**
 * The name in `known` closest to `name` (edit distance, case ignored), or undefined when
 * none is close enough to be a likely typo: at most one edit per three characters of the
 * longer name, and at most three; a name the given one begins (`billing` → `billingMode`)
 * counts as one edit. Used for "did you mean …?" hints.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const limit = Math.min(3, Math.floor(Math.max(wanted.length, candidate.length) / 3))
    const lower = candidate.toLowerCase()
    const prefix = wanted.length >= 4 && lower.startsWith(wanted) ? 1 : Number.POSITIVE_INFINITY
    const d = Math.min(prefix, editDistance(wanted, lower, Math.min(limit + 1, bestDistance)))
    if (d <= Math.max(limit, prefix === 1 ? 1 : 0) && d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps), giving up at `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap
  let before = new Array<number>(b.length + 1).fill(0)
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1)
      current.push(d)
      rowMin = Math.min(rowMin, d)
    }
    if (rowMin >= cap) return cap
    before = previous
    previous = current
  }
  return Math.min(previous[b.length] as number, cap)
}
