/**
 * A deliberately plain statement of canonical JSON, as `canonicalJson` wrote it before the
 * fast encoder: one recursive pass, keys sorted per object, values written one by one. The
 * tests hold the encoder (both paths) to it, text and error messages alike.
 */
export function referenceCanonicalJson(value: unknown, seen: object[] = []): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot store the number ${value} as JSON`)
    return JSON.stringify(value)
  }
  if (typeof value !== 'object') throw new Error(`cannot store a ${typeof value} as JSON`)
  if (value === null) return 'null'
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return referenceCanonicalJson(toJSON.call(value), seen)
  if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    throw new Error(`cannot store a ${value.constructor.name} as JSON; convert it to an array or object first`)
  if (seen.includes(value)) throw new Error('cannot store a cyclic value as JSON')
  const inner = [...seen, value]
  if (Array.isArray(value)) {
    const items: string[] = []
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      items.push(item === undefined || typeof item === 'function' ? 'null' : referenceCanonicalJson(item, inner))
    }
    return `[${items.join(',')}]`
  }
  const members: string[] = []
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key]
    if (item !== undefined) members.push(`${JSON.stringify(key)}:${referenceCanonicalJson(item, inner)}`)
  }
  return `{${members.join(',')}}`
}
