/** Shapes remembered per cache; past this the cache starts over (dictionary-like data). */
const MAX_SHAPES = 256
/** Objects with more keys are dictionaries, not records: sorted every time, never remembered. */
const MAX_SHAPE_KEYS = 64

/** An object's own enumerable string keys in canonical order, each also written as `"key":`. */
export interface SortedKeyList {
  readonly keys: readonly string[]
  readonly quoted: readonly string[]
}

interface Shape extends SortedKeyList {
  /** The keys in `Object.keys` order, to recognise the next object of this shape. */
  readonly seen: readonly string[]
}

const NO_KEYS: SortedKeyList = { keys: [], quoted: [] }

/**
 * Sorts objects' keys (by UTF-16 code units), remembering recent shapes by their first key:
 * a stream of same-shaped objects then costs a comparison of keys instead of a sort and a
 * quoting of every key.
 */
export class SortedKeys {
  readonly #shapes = new Map<string, Shape>()

  /** The own enumerable string keys of `v`, sorted, and quoted. */
  of(v: object): SortedKeyList {
    const seen = Object.keys(v)
    if (seen.length === 0) return NO_KEYS
    const first = seen[0] as string
    const known = this.#shapes.get(first)
    if (known !== undefined && sameKeys(known.seen, seen)) return known
    const keys = seen.length > 1 ? seen.slice().sort() : seen
    const shape: Shape = { seen, keys, quoted: keys.map((k) => `${JSON.stringify(k)}:`) }
    if (seen.length <= MAX_SHAPE_KEYS) {
      if (this.#shapes.size >= MAX_SHAPES) this.#shapes.clear()
      this.#shapes.set(first, shape)
    }
    return shape
  }
}

/** Same keys in the same order (the first is the lookup key, so already equal). */
function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
