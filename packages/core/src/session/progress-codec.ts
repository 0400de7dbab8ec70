import { createHash } from 'node:crypto'
import { ENVELOPE_OVERHEAD, open, sealInPlace } from '../checkpoint/envelope.js'
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
  return new ProgressEncoder(hash).encode(curve, state)
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

const HEADER_END: Record<ProgressHeader['state'], Uint8Array> = {
  json: utf8.encode('],"state":"json"}'),
  bytes: utf8.encode('],"state":"bytes"}'),
}

/**
 * `encodeProgress` for the checkpoints of one trial, which extend one curve: the header's start
 * (the candidate's hash) is encoded once, and the curve's JSON text is kept as UTF-8 bytes,
 * extended by the points reported since the last checkpoint, so a checkpoint encodes its new
 * points only. The record is then one allocation the header, curve and state are copied into
 * (no intermediate header buffer, no zero-filling), and its CRC-32. The bytes are those of
 * `encodeProgress` of the whole curve.
 */
export class ProgressEncoder {
  private readonly start: Uint8Array
  /** The UTF-8 bytes of `curveText` of the first `points` points, in the first `length` bytes. */
  private curve = new Uint8Array(256)
  private length = 0
  private points = 0

  constructor(hash: string) {
    // The text JSON.stringify gives for { candidate, curve, state } (keys in that order).
    this.start = utf8.encode(`{"candidate":${JSON.stringify(hash)},"curve":[`)
  }

  /**
   * The record of `state` and `curve`, which extends the curve of the previous call (points are
   * only added after the ones already encoded).
   */
  encode(curve: readonly IntermediateValue[], state: unknown): Uint8Array {
    if (this.points < curve.length) {
      this.append(`${this.points > 0 ? ',' : ''}${curveText(curve, this.points)}`)
      this.points = curve.length
    }
    let bytes: Uint8Array | undefined
    let json = ''
    let payloadLength: number
    let kind: ProgressHeader['state']
    if (state instanceof Uint8Array) {
      bytes = state
      payloadLength = state.byteLength
      kind = 'bytes'
    } else {
      if (state === undefined) throw new InvalidInputError('ctx.checkpoint needs a state: JSON or a Uint8Array, got undefined', 'state')
      try {
        json = canonicalJson(state)
      } catch (err) {
        throw new InvalidInputError(`ctx.checkpoint takes JSON or a Uint8Array (${(err as Error).message})`, 'state')
      }
      payloadLength = Buffer.byteLength(json, 'utf8')
      kind = 'json'
    }
    const end = HEADER_END[kind]
    const headerLength = this.start.length + this.length + end.length
    const bodyLength = 4 + headerLength + payloadLength
    if (ENVELOPE_OVERHEAD + bodyLength > MAX_TRIAL_PROGRESS_BYTES)
      throw new InvalidInputError(
        `ctx.checkpoint: the checkpoint is ${ENVELOPE_OVERHEAD + bodyLength} bytes with its curve, more than the ${MAX_TRIAL_PROGRESS_BYTES} a store accepts`,
        'state',
      )
    // Every byte of the body is written: header length, header, state (the state copied once, straight into the record).
    return sealInPlace('trial-progress', PROGRESS_FORMAT, bodyLength, (body) => {
      new DataView(body.buffer, body.byteOffset, body.byteLength).setUint32(0, headerLength)
      let at = 4
      body.set(this.start, at)
      at += this.start.length
      body.set(this.curve.subarray(0, this.length), at)
      at += this.length
      body.set(end, at)
      at += end.length
      if (bytes) body.set(bytes, at)
      else if (utf8.encodeInto(json, body.subarray(at)).written !== payloadLength)
        throw new Error(`trial progress: the state's JSON did not encode to the ${payloadLength} bytes measured`)
    })
  }

  /** Appends `text`'s UTF-8 bytes to the curve's. */
  private append(text: string): void {
    const needed = this.length + Buffer.byteLength(text, 'utf8')
    if (needed > this.curve.length) {
      const grown = new Uint8Array(Math.max(needed, this.curve.length * 2))
      grown.set(this.curve.subarray(0, this.length))
      this.curve = grown
    }
    this.length += utf8.encodeInto(text, this.curve.subarray(this.length)).written
  }
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
