import { InvalidInputError } from '../errors.js'

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785) and no whitespace, so equal
 * values give equal strings. Honours `toJSON` (so a `Date` becomes its ISO string); array holes
 * become `null`. Throws on values JSON cannot carry faithfully (NaN, Infinity, functions,
 * cycles, Map, Set, binary data).
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = []
  write(value, out, new Set())
  return out.join('')
}

function write(value: unknown, out: string[], stack: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value))
      return
    case 'boolean':
      out.push(value ? 'true' : 'false')
      return
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidInputError(`cannot store the number ${value} as JSON`)
      out.push(JSON.stringify(Object.is(value, -0) ? 0 : value))
      return
    case 'object': {
      if (value === null) {
        out.push('null')
        return
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        write((value as { toJSON: () => unknown }).toJSON(), out, stack)
        return
      }
      if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
        throw new InvalidInputError(`cannot store a ${value.constructor.name} as JSON; convert it to an array or object first`)
      if (stack.has(value)) throw new InvalidInputError('cannot store a cyclic value as JSON')
      stack.add(value)
      if (Array.isArray(value)) {
        out.push('[')
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',')
          const item: unknown = value[i]
          write(item === undefined || typeof item === 'function' ? null : item, out, stack)
        }
        out.push(']')
      } else {
        out.push('{')
        let first = true
        for (const key of Object.keys(value).sort()) {
          const item = (value as Record<string, unknown>)[key]
          if (item === undefined) continue
          if (!first) out.push(',')
          first = false
          out.push(JSON.stringify(key), ':')
          write(item, out, stack)
        }
        out.push('}')
      }
      stack.delete(value)
      return
    }
    default:
      throw new InvalidInputError(`cannot store a ${typeof value} as JSON`)
  }
}
