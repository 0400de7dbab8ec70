import { describe, expect, test } from 'vitest'
import { open } from '../src/checkpoint/envelope.js'
import { ProgressEncoder, decodeProgress, encodeProgress } from '../src/session/progress-codec.js'

const curve = [
  { step: 0, value: 1.5 },
  { step: 3, value: -0.000123456789 },
  { step: 7, value: 1e-300 },
  { step: 12, value: 123456789.25 },
]

/** The header JSON text of a record. */
function headerText(record: Uint8Array): string {
  const { body } = open('trial-progress', record, 'test')
  const length = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0)
  return new TextDecoder().decode(body.subarray(4, 4 + length))
}

describe('trial progress codec', () => {
  test('the header is the JSON.stringify text of { candidate, curve, state } (the format readers expect)', () => {
    const record = encodeProgress('abc"d', curve, { epoch: 3 })
    expect(headerText(record)).toBe(JSON.stringify({ candidate: 'abc"d', curve: curve.map((p) => [p.step, p.value]), state: 'json' }))
    expect(decodeProgress(record, 'test')).toEqual({ candidateHash: 'abc"d', curve, state: { epoch: 3 } })
  })

  test('a trial encoder, whose curve grows from one checkpoint to the next, encodes the bytes encodeProgress gives for the whole curve', () => {
    const state = new Uint8Array([1, 2, 3])
    const encoder = new ProgressEncoder('h')
    expect(encoder.encode([], state)).toEqual(encodeProgress('h', [], state))
    // A curve text past the encoder's first buffer (it grows), in steps of one, none and several points.
    const long = Array.from({ length: 60 }, (_, i) => ({ step: i * 3, value: i / 7 - 0.5 }))
    for (const n of [1, 1, 2, 4, 30, 60]) {
      const record = encoder.encode(long.slice(0, n), n % 2 === 0 ? state : { epoch: n, note: 'é✓' })
      expect(record).toEqual(encodeProgress('h', long.slice(0, n), n % 2 === 0 ? state : { epoch: n, note: 'é✓' }))
      expect(decodeProgress(record, 'test').curve).toEqual(long.slice(0, n))
    }
  })

  test('a record is a Uint8Array of its own (not a view into shared memory)', () => {
    const record = encodeProgress('h', curve, new Uint8Array([9]))
    expect(Object.getPrototypeOf(record)).toBe(Uint8Array.prototype)
    expect(record.byteOffset).toBe(0)
    expect(record.buffer.byteLength).toBe(record.byteLength)
  })
})
