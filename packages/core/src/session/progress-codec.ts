import { createHash } from 'node:crypto'
import { open, sealInPlace } from '../checkpoint/envelope.js'
import { CheckpointCorruptError, InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import type { IntermediateValue } from '../pruner/contract.js'
import { MAX_TRIAL_PROGRESS_BYTES } from '../store/contract.js'
import { canonicalJson } from '../util/canonical-json.js'

/** The format of a trial progress record's body. */
const PROGRESS_FORMAT = 1

/** What a trial saved with `ctx.checkpoint`: its curve so far and its state, for the candidate it ran. */
export interface DecodedProgress {
  /** The canonical JSON hash of the candidate the progress belongs to. */
  candidateHash: string
  curve: IntermediateValue[]
  state: Json | Uint8Array
}

interface ProgressHeader {
  candidate: string
  /** `[step, value]` pairs, steps increasing. */
  curve: [number, number][]
  state: 'json' | 'bytes'
}

const utf8 = new TextEncoder()
const text = new TextDecoder('utf-8', { fatal: true })

/** The hash a progress record names its candidate by (a resume restores only the same candidate's progress). */
export function candidateHash(candidate: Json): string {
  return createHash('sha256').update(canonicalJson(candidate)).digest('hex').slice(0, 32)
}

/**
 * Encodes a checkpoint: an envelope (magic, kind, version, CRC-32, length) around a body of
 * u32 header length · header JSON (candidate hash, curve, state kind) · state (JSON text or the
 * raw bytes). Throws `InvalidInputError` (field `state`) for a state that is neither JSON nor a
 * `Uint8Array`, or a record larger than `MAX_TRIAL_PROGRESS_BYTES`.
 */
export function encodeProgress(hash: string, curve: readonly IntermediateValue[], state: unknown): Uint8Array {
  return encodeProgressWithCurveText(hash, curveText(curve), state)
}

/** The JSON text of `curve` as the header holds it, without its brackets: `[step,value]` pairs joined by commas. */
export function curveText(curve: readonly IntermediateValue[], from = 0): string {
  let out = ''
  for (let i = from; i < curve.length; i++) {
    const p = curve[i] as IntermediateValue
    out += `${i > from ? ',' : ''}[${JSON.stringify(p.step)},${JSON.stringify(p.value)}]`
  }
  return out
}

/**
 * `encodeProgress` with the curve already as its JSON text (`curveText`), so that a trial that
 * checkpoints after every report encodes each point once, not the whole curve every time.
 */
export function encodeProgressWithCurveText(hash: string, curve: string, state: unknown): Uint8Array {
  let payload: Uint8Array
  let kind: ProgressHeader['state']
  if (state instanceof Uint8Array) {
    payload = state
    kind = 'bytes'
  } else {
    if (state === undefined) throw new InvalidInputError('ctx.checkpoint needs a state: JSON or a Uint8Array, got undefined', 'state')
    let json: string
    try {
      json = canonicalJson(state)
    } catch (err) {
      throw new InvalidInputError(`ctx.checkpoint takes JSON or a Uint8Array (${(err as Error).message})`, 'state')
    }
    payload = utf8.encode(json)
    kind = 'json'
  }
  // The text JSON.stringify gives for { candidate, curve, state } (keys in that order).
  const headerBytes = utf8.encode(`{"candidate":${JSON.stringify(hash)},"curve":[${curve}],"state":"${kind}"}`)
  // The state is copied once, straight into the record (a checkpoint may be megabytes).
  const record = sealInPlace('trial-progress', PROGRESS_FORMAT, 4 + headerBytes.length + payload.length, (body) => {
    new DataView(body.buffer, body.byteOffset, body.byteLength).setUint32(0, headerBytes.length)
    body.set(headerBytes, 4)
    body.set(payload, 4 + headerBytes.length)
  })
  if (record.length > MAX_TRIAL_PROGRESS_BYTES)
    throw new InvalidInputError(
      `ctx.checkpoint: the checkpoint is ${record.length} bytes with its curve, more than the ${MAX_TRIAL_PROGRESS_BYTES} a store accepts`,
      'state',
    )
  return record
}

/** Decodes `encodeProgress`'s bytes; throws `CheckpointCorruptError` naming `what` when they are damaged. */
export function decodeProgress(bytes: Uint8Array, what: string): DecodedProgress {
  const { version, body } = open('trial-progress', bytes, what)
  if (version !== PROGRESS_FORMAT) throw new CheckpointCorruptError(what, `unknown trial progress format ${version}`)
  if (body.length < 4) throw new CheckpointCorruptError(what, 'truncated body')
  const headerLength = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0)
  if (4 + headerLength > body.length) throw new CheckpointCorruptError(what, 'header length past the end')
  let header: ProgressHeader
  try {
    header = JSON.parse(text.decode(body.subarray(4, 4 + headerLength))) as ProgressHeader
  } catch (err) {
    throw new CheckpointCorruptError(what, `header is not JSON (${(err as Error).message})`)
  }
  if (!isHeader(header)) throw new CheckpointCorruptError(what, 'header is malformed')
  const payload = body.subarray(4 + headerLength)
  let state: Json | Uint8Array
  if (header.state === 'bytes') state = payload.slice()
  else {
    try {
      state = JSON.parse(text.decode(payload)) as Json
    } catch (err) {
      throw new CheckpointCorruptError(what, `state is not JSON (${(err as Error).message})`)
    }
  }
  return { candidateHash: header.candidate, curve: header.curve.map(([step, value]) => ({ step, value })), state }
}

function isHeader(h: unknown): h is ProgressHeader {
  if (h === null || typeof h !== 'object') return false
  const { candidate, curve, state } = h as Record<string, unknown>
  if (typeof candidate !== 'string' || (state !== 'json' && state !== 'bytes') || !Array.isArray(curve)) return false
  return curve.every(
    (p) => Array.isArray(p) && p.length === 2 && Number.isSafeInteger(p[0]) && p[0] >= 0 && Number.isFinite(p[1] as number),
  )
}
