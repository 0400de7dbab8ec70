import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { decodeJsonRecord, encodeJsonRecord } from '../checkpoint/codec.js'
import { migrate, type Migration } from '../checkpoint/migrate.js'
import { CheckpointCorruptError } from '../errors.js'
import { fromBase64, toBase64 } from '../util/base64.js'
import type { WarmStartEntry } from './warm-start-contract.js'

/**
 * Format 1: the payload is JSON. Format 2 adds `payloadType`: `json`, or `bytes` with the
 * payload as base64. JSON entries are still written as format 1, which every earlier Cairn
 * reads; only an entry whose payload is a `Uint8Array` needs format 2 (an earlier Cairn
 * cannot represent it, and refuses the record instead of misreading it).
 */
export const WARM_START_FORMAT_VERSION = 2
const JSON_PAYLOAD_FORMAT_VERSION = 1

/** `warmStartMigrations[n]` lifts a decoded entry body from format n to n + 1. */
export const warmStartMigrations: Readonly<Record<number, Migration>> = {
  1: (body) => ({ ...body, payloadType: 'json' }),
}

const EntryBodySchema = Type.Object({
  key: Type.String({ minLength: 1 }),
  runId: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('final'), Type.Literal('checkpoint')]),
  objective: Type.Union([Type.Number(), Type.Null()]),
  direction: Type.Union([Type.Literal('minimize'), Type.Literal('maximize')]),
  iteration: Type.Number(),
  payloadType: Type.Union([Type.Literal('json'), Type.Literal('bytes')]),
  payload: Type.Unknown(),
  producerVersion: Type.Optional(Type.String()),
  updatedAt: Type.Number(),
  lastAccessedAt: Type.Number(),
  sizeBytes: Type.Number(),
})
const checkEntry = Compile(EntryBodySchema)

/** Encodes a warm-start entry with checksum. `sizeBytes` is ignored on the way in. */
export function encodeWarmStartEntry(entry: WarmStartEntry): Uint8Array {
  const { payload } = entry
  if (payload instanceof Uint8Array) {
    return encodeJsonRecord('warm-start', WARM_START_FORMAT_VERSION, {
      ...entry,
      payloadType: 'bytes',
      payload: toBase64(payload),
      sizeBytes: 0,
    })
  }
  return encodeJsonRecord('warm-start', JSON_PAYLOAD_FORMAT_VERSION, { ...entry, sizeBytes: 0 })
}

/** Decodes an entry (of any known format); throws `CheckpointCorruptError` for bad bytes or shape. `sizeBytes` is set from the bytes. */
export function decodeWarmStartEntry(bytes: Uint8Array, what = 'warm-start entry'): WarmStartEntry {
  const { version, value } = decodeJsonRecord('warm-start', bytes, what)
  if (version < 1 || version > WARM_START_FORMAT_VERSION || value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CheckpointCorruptError(what, `unknown format version ${version}`)
  const body = migrate(value as Record<string, unknown>, version, WARM_START_FORMAT_VERSION, warmStartMigrations)
  if (!body || !checkEntry.Check(body)) throw new CheckpointCorruptError(what, 'does not match the warm-start entry schema')
  const { v: _v, payloadType, payload, ...rest } = body as typeof body & { v?: number }
  if (payloadType === 'json')
    return { ...(rest as Omit<WarmStartEntry, 'payload'>), payload: payload as WarmStartEntry['payload'], sizeBytes: bytes.length }
  const payloadBytes = fromBase64(payload)
  if (!payloadBytes) throw new CheckpointCorruptError(what, 'its byte payload is not base64')
  return { ...(rest as Omit<WarmStartEntry, 'payload'>), payload: payloadBytes, sizeBytes: bytes.length }
}
