import { open, type FileHandle } from 'node:fs/promises'
import { CheckpointCorruptError, decodeTrial } from '@cairn/core'
import type { TrialRecord } from '@cairn/core'
import { isMissing } from './io.js'

/**
 * The trial log of one session: `trials.log` holds core trial envelopes (each carries its own
 * length and CRC-32) back to back; `trials.idx` holds, for trial i, the end offset of its
 * record in `trials.log` as a u64 big-endian at byte 8·i. Both are only ever written past the
 * trials the current head accounts for, so a commit writes O(its own trials) bytes, and a
 * torn tail left by a crash is simply overwritten by the next commit.
 */
const SLOT = 8

async function openRW(path: string, create: boolean, what: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+')
  } catch (err) {
    if (!isMissing(err)) throw err
    if (!create) throw new CheckpointCorruptError(what, `${path} is missing`)
    return open(path, 'w+')
  }
}

async function readSlots(idx: FileHandle, first: number, count: number, what: string): Promise<number[]> {
  const buf = Buffer.alloc(count * SLOT)
  const { bytesRead } = await idx.read(buf, 0, buf.length, first * SLOT)
  if (bytesRead !== buf.length) throw new CheckpointCorruptError(what, `trial index is shorter than the head says (${first + count} trials)`)
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(Number(buf.readBigUInt64BE(i * SLOT)))
  return out
}

/**
 * Writes `records` as trials `attempts`, `attempts + 1`, … (overwriting any tail beyond the
 * head), then fsyncs both files when `durable`. Nothing becomes visible until the caller
 * replaces the head.
 */
export async function writeTrials(
  logPath: string,
  idxPath: string,
  attempts: number,
  records: readonly Uint8Array[],
  durable: boolean,
  what: string,
): Promise<void> {
  if (records.length === 0) return
  const idx = await openRW(idxPath, attempts === 0, what)
  try {
    const log = await openRW(logPath, attempts === 0, what)
    try {
      const start = attempts === 0 ? 0 : ((await readSlots(idx, attempts - 1, 1, what))[0] as number)
      const body = Buffer.concat(records)
      const slots = Buffer.alloc(records.length * SLOT)
      let end = start
      records.forEach((r, i) => {
        end += r.length
        slots.writeBigUInt64BE(BigInt(end), i * SLOT)
      })
      await log.write(body, 0, body.length, start)
      await log.truncate(end)
      await idx.write(slots, 0, slots.length, attempts * SLOT)
      await idx.truncate((attempts + records.length) * SLOT)
      if (durable) await Promise.all([log.sync(), idx.sync()])
    } finally {
      await log.close()
    }
  } finally {
    await idx.close()
  }
}

/** Decodes trials `[from, end)`; `name(i)` names trial i in errors. */
export async function readTrialRange(
  logPath: string,
  idxPath: string,
  from: number,
  end: number,
  name: (i: number) => string,
): Promise<TrialRecord[]> {
  if (from >= end) return []
  const what = name(from)
  let idx: FileHandle
  try {
    idx = await open(idxPath, 'r')
  } catch (err) {
    if (isMissing(err)) throw new CheckpointCorruptError(what, `${idxPath} is missing`)
    throw err
  }
  try {
    const first = from === 0 ? 0 : from - 1
    const slots = await readSlots(idx, first, end - first, what)
    const ends = from === 0 ? slots : slots.slice(1)
    const start = from === 0 ? 0 : (slots[0] as number)
    const stop = ends[ends.length - 1] as number
    if (!(stop >= start)) throw new CheckpointCorruptError(what, 'trial index is not increasing')
    const bytes = Buffer.alloc(stop - start)
    let log: FileHandle
    try {
      log = await open(logPath, 'r')
    } catch (err) {
      if (isMissing(err)) throw new CheckpointCorruptError(what, `${logPath} is missing`)
      throw err
    }
    try {
      const { bytesRead } = await log.read(bytes, 0, bytes.length, start)
      if (bytesRead !== bytes.length) throw new CheckpointCorruptError(what, 'trial log is shorter than its index says')
    } finally {
      await log.close()
    }
    const out: TrialRecord[] = []
    let at = 0
    ends.forEach((e, k) => {
      const i = from + k
      const next = e - start
      if (!(next >= at && next <= bytes.length)) throw new CheckpointCorruptError(name(i), 'trial index is not increasing')
      const trial = decodeTrial(bytes.subarray(at, next), name(i))
      if (trial.trialIdx !== i) throw new CheckpointCorruptError(name(i), `record says trial ${trial.trialIdx}`)
      out.push(trial)
      at = next
    })
    return out
  } finally {
    await idx.close()
  }
}
