import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { decodeJsonRecord, encodeJsonRecord } from '../checkpoint/codec.js'
import { CheckpointCorruptError } from '../errors.js'
import type { WarmStartEntry } from './warm-start-contract.js'

const WARM_START_FORMAT_VERSION = 1

const EntryBodySchema = Type.Object({
  key: Type.String({ minLength: 1 }),
  runId: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('final'), Type.Literal('checkpoint')]),
  objective: Type.Union([Type.Number(), Type.Null()]),
  direction: Type.Union([Type.Literal('minimize'), Type.Literal('maximize')]),
  iteration: Type.Number(),
  payload: Type.Unknown(),
  producerVersion: Type.Optional(Type.String()),
  updatedAt: Type.Number(),
  lastAccessedAt: Type.Number(),
  sizeBytes: Type.Number(),
})
const checkEntry = Compile(EntryBodySchema)

/** Encodes a warm-start entry with checksum. `sizeBytes` is ignored on the way in. */
export function encodeWarmStartEntry(entry: WarmStartEntry): Uint8Array {
  return encodeJsonRecord('warm-start', WARM_START_FORMAT_VERSION, { ...entry, sizeBytes: 0 })
}

/** Decodes an entry; throws `CheckpointCorruptError` for bad bytes or shape. `sizeBytes` is set from the bytes. */
export function decodeWarmStartEntry(bytes: Uint8Array, what = 'warm-start entry'): WarmStartEntry {
  const { version, value } = decodeJsonRecord('warm-start', bytes, what)
  if (version !== WARM_START_FORMAT_VERSION) throw new CheckpointCorruptError(what, `unknown format version ${version}`)
  if (!checkEntry.Check(value)) throw new CheckpointCorruptError(what, 'does not match the warm-start entry schema')
  return { ...(value as WarmStartEntry), sizeBytes: bytes.length }
}
