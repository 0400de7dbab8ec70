import { open, type FileHandle } from 'node:fs/promises'
import { CheckpointCorruptError } from '@cairn/core'
import { decodeTrial } from '@cairn/core/store-kit'
import type { TrialRecord } from '@cairn/core'
import { isMissing } from './io.js'

/**
 * The trial log of one session, where the journal folds its trials when it restarts:
 * `trials.log` holds core trial envelopes (each carries its own length and CRC-32) back to
 * back; `trials.idx` holds, for trial i, the end offset of its record in `trials.log` as a u64
 * big-endian at byte 8·i. The current journal's header says how many trials (`base`) and
 * bytes (`log bytes`) are valid; both files are only ever written past those, so readers of
 * the trials below `base` never see them change, and a tail left by a crash mid-fold is
 * simply overwritten by the next one.
 */
const SLOT = 8

/** Opens a file read-write; creates it when missing unless `mustExist` (then `CheckpointCorruptError` naming `what`). */
async function openRW(path: string, mustExist: boolean, what: string): Promise<{ fh: FileHandle; created: boolean }> {
  try {
    return { fh: await open(path, 'r+'), created: false }
  } catch (err) {
    if (!isMissing(err)) throw err
    if (mustExist) throw new CheckpointCorruptError(what, `${path} is missing; nothing was written`)
    return { fh: await open(path, 'w+'), created: true }
  }
}

async function readSlots(idx: FileHandle, first: number, count: number, what: string): Promise<number[]> {
  const buf = Buffer.alloc(count * SLOT)
  const { bytesRead } = await idx.read(buf, 0, buf.length, first * SLOT)
  if (bytesRead !== buf.length)
    throw new CheckpointCorruptError(what, `trial index is shorter than the head says (${first + count} trials)`)
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(Number(buf.readBigUInt64BE(i * SLOT)))
  return out
}

/**
 * Writes `records` as trials `first`, `first + 1`, … at byte `start` of the log (overwriting
 * and truncating anything past them), then fsyncs both files when `durable`. Returns the
 * log's new length, and whether a file had to be created (its directory entry is not synced
 * here). Nothing becomes visible until the caller starts a journal saying so. Refuses with
 * `CheckpointCorruptError` (naming `what`) when either file is shorter than the `first`
 * trials and `start` bytes the journal says it holds: nothing is written past damage.
 */
export async function appendTrials(
  logPath: string,
  idxPath: string,
  first: number,
  start: number,
  records: readonly Uint8Array[],
  durable: boolean,
  what: string,
): Promise<{ end: number; created: boolean }> {
  const idx = await openRW(idxPath, first > 0, what)
  try {
    const log = await openRW(logPath, start > 0, what)
    try {
      const [logSize, idxSize] = await Promise.all([log.fh.stat(), idx.fh.stat()]).then((s) => s.map((st) => st.size))
      if ((logSize as number) < start || (idxSize as number) < first * SLOT)
        throw new CheckpointCorruptError(
          what,
          `the trial log holds ${logSize} bytes and its index ${Math.floor((idxSize as number) / SLOT)} trials, where the journal says ${start} bytes and ${first} trials (${logPath}); nothing was written`,
        )
      const body = Buffer.concat(records)
      const slots = Buffer.alloc(records.length * SLOT)
      let end = start
      records.forEach((r, i) => {
        end += r.length
        slots.writeBigUInt64BE(BigInt(end), i * SLOT)
      })
      await log.fh.write(body, 0, body.length, start)
      await log.fh.truncate(end)
      await idx.fh.write(slots, 0, slots.length, first * SLOT)
      await idx.fh.truncate((first + records.length) * SLOT)
      if (durable) await Promise.all([log.fh.sync(), idx.fh.sync()])
      return { end, created: log.created || idx.created }
    } finally {
      await log.fh.close()
    }
  } finally {
    await idx.fh.close()
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
