/** One place where two JSON values differ. `path` is empty when the values themselves differ. */
export interface JsonDifference {
  /** Object keys and array indexes from the root, joined with `.` (e.g. `params.x.high`). */
  path: string
  stored: unknown
  got: unknown
}

/**
 * Where `stored` and `got` differ, leaf by leaf (objects key by key, arrays of equal length
 * item by item), at most `max` places. Absent keys show as `undefined`.
 */
export function jsonDifferences(stored: unknown, got: unknown, max = 8): JsonDifference[] {
  const out: JsonDifference[] = []
  walk(stored, got, [], out, max)
  return out
}

function walk(a: unknown, b: unknown, path: string[], out: JsonDifference[], max: number): void {
  if (out.length >= max || Object.is(a, b)) return
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    for (const k of keys) walk(a[k], b[k], [...path, k], out, max)
    return
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) walk(a[i], b[i], [...path, String(i)], out, max)
    return
  }
  out.push({ path: path.join('.'), stored: a, got: b })
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
