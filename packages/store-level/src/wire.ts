/**
 * The protocol between the process holding a LevelDB database and the stores reading through
 * it: one JSON value per line, each way. The holder greets every connection first
 * (`{ hello }`), then answers each request (`{ id, op, args }`) with `{ id, value }` or
 * `{ id, error }`, in any order. A head travels as the store's own encoded bytes (base64), so
 * its optimizer state arrives byte for byte; so does trial progress (`saveTrialProgress`'s
 * bytes are its last argument, base64; `loadTrialProgress` answers `{ token, bytes }`, bytes in
 * base64); trials, listings and salvage reports are plain JSON.
 */
import {
  AlreadyRunningError,
  AlreadyTerminalError,
  CairnError,
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  StoreIoError,
  TimeoutError,
  UnknownOptionError,
  type CheckpointHead,
  type ListPage,
  type SalvagedSession,
  type StoredTrialProgress,
  type TrialRecord,
} from '@cairn/core'
import { decodeHead, encodeHead } from '@cairn/core/store-kit'
import { LevelLockedError } from './errors.js'
import type { HolderInfo } from './holder-info.js'

/** Version of this protocol; a holder speaking another one is treated as one that does not serve. */
export const PROTOCOL_VERSION = 1

/** The holder's first line on every connection. */
export interface Hello {
  /** `location`: the real path of the database directory, which the reader checks is the one it means. */
  hello: HolderInfo & { v: number; location: string }
}

/** What a reader may ask. `yield` asks the holder to hand the database over (see `LevelStore`). */
export type Op =
  | 'load'
  | 'readTrials'
  | 'list'
  | 'requestControl'
  | 'salvage'
  | 'saveTrialProgress'
  | 'loadTrialProgress'
  | 'deleteTrialProgress'
  | 'yield'

/** Every operation, for the holder's check of a request. */
export const OPS: ReadonlySet<string> = new Set<Op>([
  'load',
  'readTrials',
  'list',
  'requestControl',
  'salvage',
  'saveTrialProgress',
  'loadTrialProgress',
  'deleteTrialProgress',
  'yield',
])

/** A request line. */
export interface Request {
  id: number
  op: Op
  args: unknown[]
}

/** A response line: `value` (encoded as `encodeValue` says) or `error`. */
export type Response = { id: number; value: unknown } | { id: number; error: WireError }

/** A line the holder sends unasked: `handover` before it closes connections to hand the database to a writer. */
export interface Notice {
  notice: 'handover'
}

/** An error as it travels: its class name, code, message and own fields (`field`, `location`, …). */
export interface WireError {
  name: string
  code?: string
  message: string
  fields: Record<string, unknown>
}

/** The answer to `yield`. */
export interface YieldAnswer {
  yielded: boolean
}

/** Encodes the value an operation returned, for the wire. */
export function encodeValue(op: Op, value: unknown): unknown {
  if (op === 'load') return Buffer.from(encodeHead(value as CheckpointHead)).toString('base64')
  if (op === 'loadTrialProgress' && value) {
    const { token, bytes } = value as StoredTrialProgress
    return { token, bytes: toBase64(bytes) }
  }
  return value ?? null
}

/** Bytes as base64, for the wire. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** What `toBase64` wrote, as bytes (a non-string gives no bytes: the store's input check refuses it). */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined
  const buf = Buffer.from(text, 'base64')
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

/** Decodes what `encodeValue` wrote. */
export function decodeValue(op: Op, value: unknown): unknown {
  if (op === 'load') return decodeHead(new Uint8Array(Buffer.from(value as string, 'base64')), 'head received from the holder')
  if (op === 'requestControl' || op === 'saveTrialProgress' || op === 'deleteTrialProgress') return undefined
  if (op === 'loadTrialProgress' && value) {
    const { token, bytes } = value as { token: number; bytes: string }
    return { token, bytes: fromBase64(bytes) ?? new Uint8Array(0) }
  }
  return value
}

/** The value types of the read operations, for the client's signatures. */
export interface OpValues {
  load: CheckpointHead
  readTrials: TrialRecord[]
  list: ListPage
  requestControl: void
  salvage: SalvagedSession | null
  saveTrialProgress: void
  loadTrialProgress: StoredTrialProgress | null
  deleteTrialProgress: void
  yield: YieldAnswer
}

/** An error for the wire. */
export function encodeError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} }
  const fields: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(err)) {
    if (k === 'code' || k === 'cause' || k === 'name' || k === 'message' || k === 'stack') continue
    if (v === undefined || typeof v === 'function') continue
    fields[k] = v
  }
  const code = (err as { code?: unknown }).code
  return { name: err.name, ...(err instanceof CairnError ? { code: code as string } : {}), message: err.message, fields }
}

/** The classes an error arriving from the holder is rebuilt as, by name; other CairnErrors become `CairnError`. */
const CLASSES: Record<string, { prototype: Error }> = {
  AlreadyRunningError,
  AlreadyTerminalError,
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  LevelLockedError,
  NotFoundError,
  RevisionConflictError,
  StoreIoError,
  TimeoutError,
  UnknownOptionError,
}

/**
 * Rebuilds an error the holder sent: an instance of the same class (so `instanceof` and `code`
 * work as if the store had thrown it here) with its message and fields, and a stack from here.
 */
export function decodeError(wire: WireError): Error {
  const cls = CLASSES[wire.name] ?? (wire.code !== undefined ? CairnError : Error)
  const err = Object.create(cls.prototype) as Error & Record<string, unknown>
  Object.assign(err, wire.fields)
  Object.defineProperty(err, 'message', { value: wire.message, writable: true, configurable: true })
  Object.defineProperty(err, 'name', { value: wire.name, writable: true, configurable: true })
  if (wire.code !== undefined) err['code'] = wire.code
  const here = new Error().stack?.split('\n').slice(2).join('\n') ?? ''
  Object.defineProperty(err, 'stack', { value: `${wire.name}: ${wire.message}\n${here}`, writable: true, configurable: true })
  return err
}
