import { describe, expect, test } from 'vitest'
import { open } from '../src/checkpoint/envelope.js'
import { curveText, decodeProgress, encodeProgress, encodeProgressWithCurveText } from '../src/session/progress-codec.js'

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

  test('a curve text built in pieces (as a trial extends it at each checkpoint) encodes the same bytes as the whole curve', () => {
    const state = new Uint8Array([1, 2, 3])
    const pieces = `${curveText(curve.slice(0, 1))},${curveText(curve, 1)}`
    expect(encodeProgressWithCurveText('h', pieces, state)).toEqual(encodeProgress('h', curve, state))
    expect(encodeProgressWithCurveText('h', '', state)).toEqual(encodeProgress('h', [], state))
    expect(decodeProgress(encodeProgressWithCurveText('h', pieces, state), 'test').curve).toEqual(curve)
  })
})
