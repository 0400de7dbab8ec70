import { Compile } from 'typebox/compile'
import { CheckpointCorruptError, InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import { fromBase64, toBase64 } from '../util/base64.js'
import { canonicalJson } from '../util/canonical-json.js'
import { CanonicalJsonEncoder, reuseKeptTexts } from '../util/canonical-json-encoder.js'
import { resumeMismatch } from '../util/resume-mismatch.js'
import { open, sealText, type RecordKind } from './envelope.js'
import { isHeadBody } from './head-check.js'
import { HEAD_FORMAT_VERSION, TRIAL_FORMAT_VERSION, headMigrations, migrate, trialMigrations, type Migration } from './migrate.js'
import { HeadBodySchema, TrialBodySchema, type HeadBody, type TrialBody } from './schema.js'
import type { CheckpointHead, SessionListing, TrialRecord } from './types.js'

const checkHead = Compile(HeadBodySchema)
const checkTrial = Compile(TrialBodySchema)
// One per record kind: each remembers its records' object shapes (heads resemble heads, trials trials).
// A driver freezes the parts of its head that never change (`freezeJson`): their text is written as kept.
const headJson = reuseKeptTexts(new CanonicalJsonEncoder())
const trialJson = new CanonicalJsonEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Encodes a head: envelope + canonical JSON, so equal heads give equal bytes. */
export function encodeHead(head: CheckpointHead): Uint8Array {
  if (!(head?.optimizerState instanceof Uint8Array)) throw new InvalidInputError('must be a Uint8Array', 'head.optimizerState')
  const body = headBodyOf(head)
  const json = headJson.encode(body)
  // Validated as an object (no re-parse on the per-trial path): JSON is what the encoder just accepted.
  if (!isHeadBody(body)) {
    const e = checkHead.Errors(body)[0]
    throw new InvalidInputError(`not a valid checkpoint head: ${e?.instancePath || '/'} ${e?.message ?? ''}`.trim(), 'head')
  }
  return sealText('head', HEAD_FORMAT_VERSION, json)
}

/**
 * Decodes a head, migrating older format versions. Bad bytes give `CheckpointCorruptError`;
 * intact bytes of an unknown shape or version give `ResumeMismatchError('checkpoint-shape')`.
 */
export function decodeHead(bytes: Uint8Array, what = 'checkpoint head'): CheckpointHead {
  const body = decodeBody<HeadBody>('head', bytes, what, HEAD_FORMAT_VERSION, headMigrations, checkHead)
  const { v: _v, optimizerState, directions, ...rest } = body
  const head = rest as unknown as CheckpointHead
  head.direction = directions[0]!
  if (directions.length > 1) head.directions = directions
  head.optimizerState = optimizerStateOf(optimizerState, what)
  return head
}

/** The body of a head: `direction` (and `directions` when several) stored as `directions`. */
function headBodyOf(head: CheckpointHead): HeadBody {
  const { direction, directions, ...rest } = head
  const body = rest as unknown as HeadBody
  body.v = 2
  body.directions = directions ?? [direction]
  body.optimizerState = toBase64(head.optimizerState)
  return body
}

/** Encodes one trial record. */
export function encodeTrial(trial: TrialRecord): Uint8Array {
  const body = { ...trial, v: 2 }
  const json = trialJson.encode(body)
  if (!checkTrial.Check(body)) {
    const e = checkTrial.Errors(body)[0]
    throw new InvalidInputError(`not a valid trial record: ${e?.instancePath || '/'} ${e?.message ?? ''}`.trim(), 'trial')
  }
  return sealText('trial', TRIAL_FORMAT_VERSION, json)
}

/** Decodes one trial record (same error rules as `decodeHead`). */
export function decodeTrial(bytes: Uint8Array, what = 'trial record'): TrialRecord {
  const { v: _v, ...rest } = decodeBody<TrialBody>('trial', bytes, what, TRIAL_FORMAT_VERSION, trialMigrations, checkTrial)
  return rest as TrialRecord
}

/** Encodes any JSON value in an envelope of the given kind (used for warm-start entries). */
export function encodeJsonRecord(kind: RecordKind, version: number, value: unknown): Uint8Array {
  return sealText(kind, version, canonicalJson(value))
}

/** Opens an envelope of the given kind and parses its JSON body; throws `CheckpointCorruptError`. */
export function decodeJsonRecord(kind: RecordKind, bytes: Uint8Array, what: string): { version: number; value: unknown } {
  const { version, body } = open(kind, bytes, what)
  return { version, value: parseJson(body, what) }
}

/** The listing of a head (what `list` returns). */
export function headToListing(head: CheckpointHead): SessionListing {
  // Built field by field (no spread of optional parts): stores list every session, and the memory store lists on every commit.
  const listing = { sessionId: head.sessionId } as SessionListing
  if (head.name !== undefined) listing.name = head.name
  listing.status = head.status
  listing.optimizer = head.optimizer.id
  if (head.job !== undefined) listing.job = head.job
  listing.bestScore = head.progress.bestScore
  listing.completed = head.progress.completed
  if (head.progress.pruned) listing.pruned = head.progress.pruned
  listing.updatedAt = head.updatedAt
  listing.leaseExpiresAt = head.lease && head.lease.expiresAt > 0 ? head.lease.expiresAt : null
  return listing
}

/** A deep copy of a head (state bytes copied too). */
export function cloneHead(head: CheckpointHead): CheckpointHead {
  return { ...structuredClone({ ...head, optimizerState: undefined }), optimizerState: head.optimizerState.slice() }
}

function decodeBody<T>(
  kind: RecordKind,
  bytes: Uint8Array,
  what: string,
  current: number,
  migrations: Readonly<Record<number, Migration>>,
  validator: { Check(v: unknown): boolean; Errors(v: unknown): { instancePath: string; message: string }[] },
): T {
  const { version, body } = open(kind, bytes, what)
  const parsed = parseJson(body, what)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw resumeMismatch('checkpoint-shape', `a ${kind} object`, typeof parsed, `${what} has no object body`)
  if (version > current)
    throw resumeMismatch(
      'checkpoint-shape',
      `format version <= ${current}`,
      version,
      `${what} was written by a newer Cairn; upgrade to read it`,
    )
  const migrated = migrate(parsed as Record<string, unknown>, version, current, migrations)
  if (!migrated) throw resumeMismatch('checkpoint-shape', `format version ${current}`, version, `no migration for ${what}`)
  if (!validator.Check(migrated)) {
    const e = validator.Errors(migrated)[0]
    throw resumeMismatch(
      'checkpoint-shape',
      `a valid ${kind} record`,
      `${e?.instancePath || '/'} ${e?.message ?? ''}`.trim(),
      `${what} does not match the schema`,
    )
  }
  return migrated as T
}

function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(body)) as Json
  } catch (err) {
    throw new CheckpointCorruptError(what, 'body is not valid UTF-8 JSON', { cause: err })
  }
}

function optimizerStateOf(text: string, what: string): Uint8Array {
  const bytes = fromBase64(text)
  if (!bytes) throw new CheckpointCorruptError(what, 'optimizer state is not base64')
  return bytes
}
