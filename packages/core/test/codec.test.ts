import { describe, expect, test } from 'vitest'
import { CheckpointCorruptError, InvalidInputError, ResumeMismatchError, type CheckpointHead } from '../src/index.js'
import { decodeHead, decodeTrial, encodeHead, encodeTrial, seal } from '../src/store-kit.js'
import { freezeJson } from '../src/util/frozen-json.js'

function head(overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  return {
    sessionId: 's1',
    status: 'running',
    optimizer: { id: 'x', stateVersion: 1 },
    optimizerOptions: { b: 1, a: [1, 2] },
    seed: 42,
    direction: 'minimize',
    createdAt: 1000,
    updatedAt: 2000,
    progress: { attempts: 3, completed: 2, errors: 1, pruned: 0, bestScore: 0.5, bestTrialIdx: 1, startedAt: 1000 },
    limits: { maxTrials: 10, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array([0, 1, 2, 255]),
    rngState: '0123456789abcdef0123456789abcdef',
    pending: [],
    revision: 3,
    lease: { owner: 'me', fencingToken: 2, expiresAt: 5000 },
    ...overrides,
  }
}

describe('checkpoint codec', () => {
  test('round trip, and equal heads give equal bytes whatever the key order', () => {
    const h = head()
    expect(decodeHead(encodeHead(h))).toEqual(h)
    const reordered = head({ optimizerOptions: { a: [1, 2], b: 1 } })
    expect(Buffer.from(encodeHead(reordered)).equals(Buffer.from(encodeHead(h)))).toBe(true)
  })

  test('a flipped byte fails the checksum: CheckpointCorruptError naming what', () => {
    const bytes = encodeHead(head())
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x01
    expect(() => decodeHead(bytes, 'head of session "s1"')).toThrow(CheckpointCorruptError)
    expect(() => decodeHead(bytes, 'head of session "s1"')).toThrow(/session "s1".*checksum/)
  })

  test('truncated bytes, wrong magic and wrong record kind are corrupt', () => {
    const bytes = encodeHead(head())
    expect(() => decodeHead(bytes.subarray(0, bytes.length - 1))).toThrow(CheckpointCorruptError)
    const magic = bytes.slice()
    magic[0] = 0
    expect(() => decodeHead(magic)).toThrow(/magic/)
    expect(() => decodeTrial(bytes)).toThrow(/not a trial record/)
  })

  test('intact bytes of the wrong shape or a newer version are a checkpoint-shape mismatch', () => {
    const body = new TextEncoder().encode(JSON.stringify({ v: 1, sessionId: 's' }))
    const err = (() => {
      try {
        decodeHead(seal('head', 1, body))
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ResumeMismatchError)
    expect(err).toMatchObject({ reason: 'checkpoint-shape' })
    expect(() => decodeHead(seal('head', 9, body))).toThrow(/newer Cairn/)
  })

  test('a head that could not be read back is refused at encode time, naming the field', () => {
    expect(() => encodeHead(head({ revision: -1 }))).toThrow(/head.*\/revision/)
    expect(() => encodeHead({ ...head(), status: 'done' as never })).toThrow(InvalidInputError)
    expect(() => encodeTrial({ trialIdx: 0, candidate: 1, status: 'maybe' as never, durationMs: 0 })).toThrow(InvalidInputError)
  })

  test('the parts a driver freezes are held to the schema on every commit, valid or not', () => {
    const seeds = freezeJson([{ candidate: { x: 1 }, score: 0.5 }])
    const badSeeds = freezeJson([{ candidate: { x: 1 }, score: 'high' }]) as never
    const badLimits = freezeJson({ maxTrials: -1, maxErrors: 0, trialTimeoutMs: null, parallelism: 1 })
    for (let commit = 0; commit < 2; commit++) {
      expect(decodeHead(encodeHead(head({ seeds, revision: commit }))).seeds).toEqual(seeds)
      expect(() => encodeHead(head({ seeds: badSeeds, revision: commit }))).toThrow(/head.*\/seeds\/0\/score/)
      expect(() => encodeHead(head({ limits: badLimits, revision: commit }))).toThrow(/head.*\/limits\/maxTrials/)
      expect(() => encodeHead(head({ optimizer: freezeJson({ id: '', stateVersion: 1 }) }))).toThrow(/head.*\/optimizer\/id/)
      expect(() => encodeHead({ ...head(), optimizer: undefined as never })).toThrow(/head.*optimizer/)
    }
  })

  test('trial records round trip', () => {
    const t = { trialIdx: 4, candidate: { x: 1.5 }, score: 2.25, status: 'ok' as const, durationMs: 3 }
    expect(decodeTrial(encodeTrial(t))).toEqual(t)
  })
})
