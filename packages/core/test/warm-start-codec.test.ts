import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { CheckpointCorruptError, createMemoryStore } from '../src/index.js'
import { encodeJsonRecord } from '../src/checkpoint/codec.js'
import { decodeWarmStartEntry, encodeWarmStartEntry, openEnvelope } from '../src/store-kit.js'
import { warmStartMigrations } from '../src/store/warm-start-codec.js'
import type { WarmStartEntry } from '../src/index.js'

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))

const entry = (payload: WarmStartEntry['payload']): WarmStartEntry => ({
  key: 'k',
  runId: 'r',
  kind: 'checkpoint',
  objective: 1,
  direction: 'minimize',
  iteration: 3,
  payload,
  updatedAt: 10,
  lastAccessedAt: 11,
  sizeBytes: 0,
})

describe('warm-start entry codec', () => {
  test('an entry written by an earlier Cairn (format 1, fixture) decodes, and JSON entries are still written as format 1', () => {
    const old = fixture('warm-start-entry-v1.bin')
    expect(openEnvelope('warm-start', old, 'fixture').version).toBe(1)
    const decoded = decodeWarmStartEntry(old)
    expect(decoded).toEqual({
      key: 'c'.repeat(64),
      runId: 'run-1',
      kind: 'checkpoint',
      objective: 0.25,
      direction: 'minimize',
      iteration: 7,
      payload: { weights: [1, 2.5, -3], note: 'é' },
      producerVersion: '1.0.0',
      updatedAt: 1_700_000_000_000,
      lastAccessedAt: 1_700_000_000_000,
      sizeBytes: old.length,
    })
    // Same bytes back: an earlier Cairn sharing the store keeps reading what this one writes.
    expect(Buffer.from(encodeWarmStartEntry(decoded)).equals(Buffer.from(old))).toBe(true)
  })

  test('the format 1 → 2 migration marks the payload as JSON', () => {
    expect(warmStartMigrations[1]?.({ payload: { a: 1 } })).toEqual({ payload: { a: 1 }, payloadType: 'json' })
  })

  test('byte payloads round-trip exactly (format 2), views and empty arrays included', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const view = new Uint8Array(all.buffer, 7, 100)
    for (const payload of [all, view, new Uint8Array(0), new Uint8Array([0xef, 0xbb, 0xbf, 0x00])]) {
      const bytes = encodeWarmStartEntry(entry(payload))
      expect(openEnvelope('warm-start', bytes, 'x').version).toBe(2)
      const back = decodeWarmStartEntry(bytes)
      expect(back.payload).toBeInstanceOf(Uint8Array)
      expect(Buffer.from(back.payload as Uint8Array).equals(Buffer.from(payload))).toBe(true)
      expect(back).toEqual({ ...entry(back.payload), sizeBytes: bytes.length })
    }
    // A JSON array of numbers stays JSON.
    expect(decodeWarmStartEntry(encodeWarmStartEntry(entry([1, 2, 3]))).payload).toEqual([1, 2, 3])
  })

  test('an unknown format version or a bad byte payload is corrupt', () => {
    const body = { ...entry('x'), payloadType: 'bytes', payload: 'not base64!' }
    expect(() => decodeWarmStartEntry(encodeJsonRecord('warm-start', 2, body))).toThrow(/base64/)
    expect(() => decodeWarmStartEntry(encodeJsonRecord('warm-start', 3, entry('x')))).toThrow(CheckpointCorruptError)
    expect(() => decodeWarmStartEntry(encodeJsonRecord('warm-start', 2, entry('x')))).toThrow(/schema/)
  })

  test('the memory store returns byte payloads as bytes', async () => {
    const store = createMemoryStore()
    const payload = new Uint8Array([1, 2, 3, 250])
    await store.saveOverwrite('k', 'r', { kind: 'final', objective: null, iteration: 0, payload })
    const got = await store.lookup('k')
    expect(got?.payload).toEqual(payload)
    expect(got?.payload).toBeInstanceOf(Uint8Array)
  })
})
