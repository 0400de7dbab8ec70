import { canonicalJsonError, type CanonicalJsonProblemHandler, type CanonicalJsonProblemReason } from './canonical-json-problem.js'
import { keptJsonText } from './kept-json.js'
import { SortedKeys } from './sorted-keys.js'

/** One `encode` call's state; apart from the shapes, none lives on the encoder, as a `toJSON` or getter may call `encode` again. */
interface Pass {
  readonly sortedKeys: SortedKeys
  readonly stack: Set<object>
  readonly path: (string | number)[]
  readonly onProblem: CanonicalJsonProblemHandler
  /** Write the kept text of values `freezeJson` made (see `reuseKeptTexts`). */
  readonly kept: boolean
}

/** Encoders that write the kept canonical JSON of `freezeJson`'s values instead of walking them. */
const reusing = new WeakSet<CanonicalJsonEncoder>()

/**
 * Makes `encoder` write the text `freezeJson` kept for a value it made (the same text, found
 * without walking the value). Core's checkpoint codec only: a lookup per object is a waste
 * for encoders that never meet such values.
 */
export function reuseKeptTexts(encoder: CanonicalJsonEncoder): CanonicalJsonEncoder {
  reusing.add(encoder)
  return encoder
}

/**
 * Writes canonical JSON: object keys sorted by UTF-16 code units (RFC 8785 order), no
 * whitespace, strings and numbers as `JSON.stringify` writes them (so `-0` is `0`), equal
 * values giving equal text. `canonicalJson` is this with one shared encoder; give a stream of
 * similar values (trial records, trainset examples) an encoder of its own: it remembers the
 * key order of the object shapes it has seen, so values that share shapes are written faster.
 *
 * The rules: `toJSON` is called (without a key) on any object that has one and its result
 * written in its place (so a `Date` becomes its ISO string). `undefined` object members are
 * left out; `undefined` and function array items (and holes) become `null`. Any other
 * object, class instances and boxed primitives included, is written as its own enumerable
 * string-keyed properties, each read once. Refused: NaN, ±Infinity, bigints, symbols,
 * functions and `undefined` anywhere else, `Map`, `Set`, typed arrays, `DataView`,
 * `ArrayBuffer` and cycles.
 *
 * ```ts
 * const encoder = new CanonicalJsonEncoder()
 * for (const example of examples) hash.update(encoder.encode(example))
 * ```
 */
export class CanonicalJsonEncoder {
  readonly #sortedKeys = new SortedKeys()

  /**
   * The canonical JSON of `value`. For a value that has none, throws what `onProblem` makes
   * of the problem (by default the `InvalidInputError` `canonicalJson` throws).
   */
  encode(value: unknown, onProblem?: CanonicalJsonProblemHandler): string {
    if (typeof value === 'string') return JSON.stringify(value)
    return write(value, {
      sortedKeys: this.#sortedKeys,
      stack: new Set(),
      path: [],
      onProblem: onProblem ?? canonicalJsonError,
      kept: reusing.has(this),
    })
  }
}

function write(v: unknown, pass: Pass): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'number':
      // A finite number's ToString is exactly what JSON.stringify writes (-0 included).
      return Number.isFinite(v) ? `${v}` : fail(pass, 'non-finite-number', v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'object':
      break
    default:
      return fail(pass, 'unsupported-type', v)
  }
  if (v === null) return 'null'
  if (pass.kept) {
    const text = keptJsonText(v)
    if (text !== undefined) return text
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return write((v as { toJSON: () => unknown }).toJSON(), pass)
  if (v instanceof Map || v instanceof Set || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return fail(pass, 'unsupported-object', v)
  const { stack, path } = pass
  if (stack.has(v)) return fail(pass, 'cycle', v)
  stack.add(v)
  let out: string
  if (Array.isArray(v)) {
    out = '['
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ','
      const item: unknown = v[i]
      if (item === undefined || typeof item === 'function') {
        out += 'null'
        continue
      }
      path.push(i)
      out += write(item, pass)
      path.pop()
    }
    out += ']'
  } else {
    const { keys, quoted } = pass.sortedKeys.of(v)
    out = '{'
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const item: unknown = (v as Record<string, unknown>)[key]
      if (item === undefined) continue
      if (out.length > 1) out += ','
      path.push(key)
      out += (quoted[i] as string) + write(item, pass)
      path.pop()
    }
    out += '}'
  }
  stack.delete(v)
  return out
}

function fail(pass: Pass, reason: CanonicalJsonProblemReason, value: unknown): never {
  throw pass.onProblem({ reason, value, path: pass.path.slice() })
}
