import { invalidInput } from '../util/errors.js'

const OBJECT_PROTO: object = Object.prototype
const ARRAY_PROTO: object = Array.prototype
/** Deeper values take the general path (which also reports cycles). */
const MAX_FAST_DEPTH = 64
/** Past this many distinct keys the key list is rebuilt from the current value alone. */
const MAX_KEY_LIST = 256

type Path = (string | number)[]

/**
 * Canonical JSON (RFC 8785 / JCS ordering): object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript's shortest round-trip form (-0 written as 0), strings
 * escaped as `JSON.stringify` escapes them. Refuses what JSON cannot carry faithfully: NaN,
 * ±Infinity, bigints, functions, symbols, cycles, Maps, Sets, typed arrays and ArrayBuffers.
 * `undefined` object members are left out and `undefined` array items (and holes) become
 * `null`, like `JSON.stringify`; an object with a `toJSON` method is replaced by its result.
 *
 * Fast path: plain data (plain objects, arrays, strings, finite numbers, booleans, null) is
 * scanned once to collect its keys, then serialized natively by `JSON.stringify` with the
 * sorted key list as its property list, which fixes the key order at every depth. The key
 * list is kept across calls (a superset is harmless: absent keys are skipped), so a run of
 * similar values sorts it once. Anything else goes through a general writer that produces
 * the same text.
 */
export class CanonicalJsonEncoder {
  private keys = new Set<string>()
  private keyList: string[] = []
  /** Size of `keys` when `keyList` was sorted from it (the set only grows between resets); -1 when stale. */
  private keyListSize = 0
  private objects = 0
  private members = 0

  /** The canonical JSON of `value`. `subject` names it in error messages (a number means "example N"). */
  encode(value: unknown, subject: string | number = 'value'): string {
    if (typeof value === 'object' && value !== null) {
      if (prototypesClean() && this.scanRoot(value)) return JSON.stringify(value, this.keyList)
    } else if (typeof value === 'string') {
      return JSON.stringify(value)
    }
    return writeGeneral(value, subject)
  }

  private scanRoot(value: object): boolean {
    this.objects = 0
    this.members = 0
    let ok = this.scan(value, 0)
    if (ok && !this.keyListCheap()) {
      // The remembered keys no longer fit this value: start over from its keys alone.
      this.keys = new Set()
      this.keyListSize = -1
      this.objects = 0
      this.members = 0
      ok = this.scan(value, 0) && this.keyListCheap()
    }
    if (!ok) return false
    if (this.keys.size !== this.keyListSize) {
      this.keyList = Array.from(this.keys).sort()
      this.keyListSize = this.keys.size
    }
    return true
  }

  /** `JSON.stringify` looks every listed key up in every object: keep that near the real work. */
  private keyListCheap(): boolean {
    const n = this.keys.size
    return n <= MAX_KEY_LIST && this.objects * n <= 4 * this.members + 64
  }

  /** True when `v` (and everything under it) is plain data the native path renders canonically. */
  private scan(v: object, depth: number): boolean {
    if (depth > MAX_FAST_DEPTH) return false
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== ARRAY_PROTO) return false
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i]
        switch (typeof x) {
          case 'string':
          case 'boolean':
          case 'undefined':
            continue
          case 'number':
            if (x - x !== 0) return false
            continue
          case 'object':
            if (x !== null && !this.scan(x, depth + 1)) return false
            continue
          default:
            return false
        }
      }
      return true
    }
    const proto: unknown = Object.getPrototypeOf(v)
    if (proto !== OBJECT_PROTO && proto !== null) return false
    const keys = this.keys
    let n = 0
    for (const k in v) {
      n++
      if (!keys.has(k)) {
        // An inherited non-function (`__proto__`) would be read for objects lacking the key.
        if (k in OBJECT_PROTO && typeof (OBJECT_PROTO as Record<string, unknown>)[k] !== 'function') return false
        keys.add(k)
      }
      const x: unknown = (v as Record<string, unknown>)[k]
      switch (typeof x) {
        case 'string':
        case 'boolean':
        case 'undefined':
          continue
        case 'number':
          if (x - x !== 0) return false
          continue
        case 'object':
          if (x !== null && !this.scan(x, depth + 1)) return false
          continue
        default:
          return false
      }
    }
    // A non-enumerable own key would be read by the native path when another object lists it.
    if (Object.getOwnPropertyNames(v).length !== n) return false
    this.objects++
    this.members += n
    return true
  }
}

/** No enumerable or `toJSON` additions to the prototypes plain data inherits from. */
function prototypesClean(): boolean {
  for (const _ in OBJECT_PROTO) return false
  return typeof (OBJECT_PROTO as { toJSON?: unknown }).toJSON !== 'function' && typeof (ARRAY_PROTO as { toJSON?: unknown }).toJSON !== 'function'
}

/** The general writer: any JSON-like value, with a path in every error. */
export function writeGeneral(value: unknown, subject: string | number = 'value'): string {
  const path: Path = []
  const stack = new Set<object>()
  const fail = (what: string): never => {
    const where = path.length === 0 ? '' : ` at ${formatPath(path)}`
    const name = typeof subject === 'number' ? `example ${subject}` : subject
    throw invalidInput(`cannot fingerprint ${name}${where}: ${what}`)
  }

  const write = (v: unknown, key: string, inArray: boolean): string | undefined => {
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      v = (v as { toJSON(key: string): unknown }).toJSON(key)
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v)
      case 'boolean':
        return v ? 'true' : 'false'
      case 'number':
        if (!Number.isFinite(v)) return fail(`${v} is not a finite number (JSON has no NaN or Infinity)`)
        return JSON.stringify(v)
      case 'undefined':
        if (inArray) return 'null'
        if (path.length === 0) return fail('undefined is not a JSON value')
        return undefined
      case 'bigint':
        return fail('a bigint is not a JSON value (convert it to a string or number first)')
      case 'function':
      case 'symbol':
        return fail(`a ${typeof v} is not a JSON value`)
    }
    if (v === null) return 'null'
    const obj = v as object
    if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) return write(obj.valueOf(), key, inArray)
    if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet)
      return fail(`a ${obj.constructor.name} has no JSON form (convert it to an array or object first)`)
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer)
      return fail('binary data has no canonical JSON form (convert it to an array or a base64 string first)')
    if (stack.has(obj)) return fail('the value is cyclic')
    stack.add(obj)
    let out: string
    if (Array.isArray(obj)) {
      out = '['
      for (let i = 0; i < obj.length; i++) {
        path.push(i)
        if (i > 0) out += ','
        out += write((obj as unknown[])[i], String(i), true)
        path.pop()
      }
      out += ']'
    } else {
      out = '{'
      let first = true
      for (const k of Object.keys(obj).sort()) {
        path.push(k)
        const item = write((obj as Record<string, unknown>)[k], k, false)
        path.pop()
        if (item === undefined) continue
        if (!first) out += ','
        first = false
        out += JSON.stringify(k) + ':' + item
      }
      out += '}'
    }
    stack.delete(obj)
    return out
  }
  return write(value, '', false) as string
}

function formatPath(path: Path): string {
  let out = '$'
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`
  return out
}
