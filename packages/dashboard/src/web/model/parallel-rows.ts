/**
 * Which trials the parallel coordinates draw, and in what order. Of 10,000 trials ECharts spends
 * its time per line (about 0.07 ms each to build and paint), so at most MAX_PARALLEL_LINES are drawn.
 */

/** At most this many lines are drawn: the MAX_BEST_PARALLEL_LINES best trials and an even sample of the others. */
export const MAX_PARALLEL_LINES = 1000
/** How many of the drawn lines are the best trials. */
export const MAX_BEST_PARALLEL_LINES = 250

/**
 * The rows drawn (their score is the second-last column, their trial index the last): all of them
 * up to MAX_PARALLEL_LINES, else the MAX_BEST_PARALLEL_LINES best (by score, in the session's
 * direction) and an even sample of the others. Either way ordered worst first, so the best lines
 * are drawn on top.
 */
export function parallelRows(rows: readonly number[][], maximize: boolean): { rows: number[][]; best: number } {
  const score = (r: readonly number[]): number => r[r.length - 2] as number
  const idx = (r: readonly number[]): number => r[r.length - 1] as number
  // Best first; ties by trial index, the earlier first (as the session's best).
  const ranked = [...rows].sort((a, b) => (maximize ? score(b) - score(a) : score(a) - score(b)) || idx(a) - idx(b))
  if (ranked.length <= MAX_PARALLEL_LINES) return { rows: ranked.reverse(), best: ranked.length }
  const best = ranked.slice(0, MAX_BEST_PARALLEL_LINES)
  const chosen = new Set<readonly number[]>(best)
  const rest = rows.filter((r) => !chosen.has(r))
  const room = MAX_PARALLEL_LINES - best.length
  const step = rest.length / room
  const sample = Array.from({ length: room }, (_, i) => rest[Math.floor(i * step)] as number[])
  sample.sort((a, b) => (maximize ? score(a) - score(b) : score(b) - score(a)) || idx(b) - idx(a))
  return { rows: [...sample, ...best.reverse()], best: best.length }
}
