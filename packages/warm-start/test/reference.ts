/**
 * An independent, deliberately naive implementation of the fingerprint encoding (built from
 * the README's description with Buffer.concat and core's canonicalJson), used to check the
 * optimized one byte for byte.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '@cairn/core'

export type RefField =
  | { kind: 'string'; tag: string; value: string }
  | { kind: 'bytes'; tag: string; value: Uint8Array }
  | { kind: 'number'; tag: string; value: number }
  | { kind: 'bigint'; tag: string; value: bigint }
  | { kind: 'json'; tag: string; value: unknown }

const KIND = { string: 1, bytes: 2, number: 3, bigint: 4, json: 5 } as const

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

function valueBytes(f: RefField): Buffer {
  switch (f.kind) {
    case 'string':
      return Buffer.from(f.value, 'utf8')
    case 'bytes':
      return Buffer.from(f.value)
    case 'number': {
      const b = Buffer.alloc(8)
      b.writeDoubleBE(Object.is(f.value, -0) ? 0 : f.value)
      return b
    }
    case 'bigint': {
      const neg = f.value < 0n
      let mag = neg ? -f.value : f.value
      const bytes: number[] = []
      while (mag > 0n) {
        bytes.unshift(Number(mag & 0xffn))
        mag >>= 8n
      }
      return Buffer.from([neg ? 1 : 0, ...bytes])
    }
    case 'json':
      return Buffer.from(canonicalJson(f.value), 'utf8')
  }
}

/** The exact bytes the encoding feeds to SHA-256. */
export function refStream(fields: readonly RefField[]): Buffer {
  const parts: Buffer[] = [Buffer.from('cairn/fingerprint\0', 'ascii'), u32(1)]
  for (const f of fields) {
    const tag = Buffer.from(f.tag, 'utf8')
    const value = valueBytes(f)
    parts.push(Buffer.from([KIND[f.kind]]), u32(tag.length), tag, u64(value.length), value)
  }
  return Buffer.concat(parts)
}

export function refFingerprint(fields: readonly RefField[]): string {
  return createHash('sha256').update(refStream(fields)).digest('hex')
}

/** hashTrainset by its definition, with the reference encoder. */
export function refTrainset(examples: readonly unknown[], ordered = true): string {
  const fields: RefField[] = [
    { kind: 'string', tag: 'domain', value: 'cairn/trainset' },
    { kind: 'string', tag: 'order', value: ordered ? 'ordered' : 'unordered' },
  ]
  if (ordered) for (const e of examples) fields.push({ kind: 'json', tag: 'example', value: e })
  else {
    const digests = examples.map((e) => createHash('sha256').update(canonicalJson(e), 'utf8').digest()).sort(Buffer.compare)
    for (const d of digests) fields.push({ kind: 'bytes', tag: 'example-digest', value: d })
  }
  fields.push({ kind: 'number', tag: 'count', value: examples.length })
  return refFingerprint(fields)
}
