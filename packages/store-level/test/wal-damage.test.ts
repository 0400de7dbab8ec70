/**
 * Damage to LevelDB's own files: the write-ahead log, the MANIFEST and CURRENT. LevelDB on its
 * own (no paranoid checks, the only mode classic-level offers) skips a damaged log record with
 * the rest of its 32 KiB block: one flipped bit made `readTrials` return 4 of 15 committed
 * trials and turned a completed session back to `running`. The store must report
 * `CheckpointCorruptError` or return the session intact, and leave a damaged database as found.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { TrialRecord } from '@cairn/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLevelStore } from '../src/index.js'
import { BLOCK_BYTES, crc32c } from '../src/log-format.js'
import { copyDatabase, cutTo, fileOf, flipBit, readBack } from './damage.js'
import { collect, spawnFixture, tempDir, writeCompletedSession } from './helpers.js'
import { snapshot } from './snapshot.js'

const ID = 'fit-1'
const TRIALS = 15

let root: string
let cleanup: () => Promise<void>
let written: TrialRecord[]
/** Reference databases holding the completed session: closed by the store, or left by a SIGKILL. */
const source = { closed: '', killed: '' }
type Source = keyof typeof source
let scratch = 0

beforeAll(async () => {
  ;({ dir: root, cleanup } = await tempDir('cairn-level-wal-'))
  source.closed = join(root, 'closed')
  source.killed = join(root, 'killed')
  const child = spawnFixture('completed-session.ts', [source.killed, ID, String(TRIALS)])
  const exited = collect(child)
  const store = createLevelStore({ location: source.closed })
  written = await writeCompletedSession(store, ID, TRIALS)
  await store.close()
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('done') && resolve())
    child.on('exit', (code) => reject(new Error(`the child exited with ${code} before writing the session`)))
  })
  child.kill('SIGKILL')
  expect((await exited).signal).toBe('SIGKILL')
}, 60_000)

afterAll(async () => {
  await cleanup()
})

/** A scratch copy of a reference database, and the path of its file matching `pattern`. */
async function scratchCopy(from: Source, pattern: RegExp): Promise<{ dir: string; file: string }> {
  const dir = await copyDatabase(source[from], join(root, `scratch-${++scratch}`))
  return { dir, file: join(dir, basename(await fileOf(dir, pattern))) }
}

/** Damages a scratch copy, reads the session back, and checks a reported damage changed nothing. */
async function damagedReadBack(from: Source, pattern: RegExp, damage: (file: string) => Promise<void>) {
  const { dir, file } = await scratchCopy(from, pattern)
  await damage(file)
  const before = await snapshot(dir)
  const result = await readBack(dir, ID, written)
  const unchanged = result.outcome !== 'corrupt' || JSON.stringify(await snapshot(dir)) === JSON.stringify(before)
  await rm(dir, { recursive: true, force: true })
  return { ...result, unchanged }
}

/** `count` byte offsets spread over `size` bytes, always including the first record's header. */
function offsets(size: number, count: number): number[] {
  const out = new Set([0, 4, 5, 6, size - 1])
  for (let i = 0; out.size < count; i++) out.add(Math.floor(((i * 7919) % 10_007) * (size / 10_007)))
  return [...out].sort((a, b) => a - b)
}

/** Where each physical record of a one-block log starts. */
function recordStarts(bytes: Uint8Array): number[] {
  expect(bytes.length).toBeLessThan(BLOCK_BYTES)
  const starts: number[] = []
  for (let at = 0; at + 7 <= bytes.length; at += 7 + ((bytes[at + 4] as number) | ((bytes[at + 5] as number) << 8))) starts.push(at)
  return starts
}

describe('the reference databases', () => {
  it('hold the completed session in the write-ahead log, and read back intact', async () => {
    for (const from of ['closed', 'killed'] as const) {
      expect((await stat(await fileOf(source[from], /^\d+\.log$/))).size).toBeGreaterThan(TRIALS * 500)
      expect(await damagedReadBack(from, /^CURRENT$/, async () => {})).toMatchObject({ outcome: 'intact' })
    }
  })
})

describe('one flipped bit in the write-ahead log', () => {
  for (const from of ['closed', 'killed'] as const)
    it(`(${from} database) → CheckpointCorruptError naming the log and the session, the files left as found; never a short trial log or a rolled-back status`, async () => {
      const size = (await stat(await fileOf(source[from], /^\d+\.log$/))).size
      const results = []
      for (const at of offsets(size, 36))
        results.push({ at, ...(await damagedReadBack(from, /^\d+\.log$/, (f) => flipBit(f, at, at % 8))) })
      expect(results.filter((r) => r.outcome === 'wrong')).toEqual([])
      expect(results.filter((r) => !r.unchanged)).toEqual([])
      // Every byte of a log record is checksummed or framing: each flip is caught.
      expect(results.filter((r) => r.outcome !== 'corrupt')).toEqual([])
      const finding = results.find((r) => r.at >= size / 3) as { message?: string }
      expect(finding.message).toMatch(/LevelDB database at ".*" is corrupt: \d{6}\.log is damaged at byte \d+ \(checksum mismatch\)/)
      expect(finding.message).toMatch(/writes to session "fit-1" \((head, )?trials? \d+/)
    }, 120_000)
})

describe('a truncated write-ahead log', () => {
  it('of a database the store closed: CheckpointCorruptError naming the log, whether cut inside a record or between two', async () => {
    const bytes = new Uint8Array(await readFile(await fileOf(source.closed, /^\d+\.log$/)))
    const starts = recordStarts(bytes)
    const cuts = [bytes.length - 1, bytes.length - 300, starts.at(-1) as number, starts.at(-3) as number, Math.floor(bytes.length / 2), 0]
    for (const cut of cuts) {
      const result = await damagedReadBack('closed', /^\d+\.log$/, (f) => cutTo(f, cut))
      expect({ cut, ...result }).toMatchObject({ cut, outcome: 'corrupt', unchanged: true })
      expect((result as { message: string }).message).toMatch(
        /\d{6}\.log (is \d+ bytes, \d+ when the store closed the database: it was cut short|ends inside a record)/,
      )
    }
  })

  it('after a crash (no clean close), a record cut at the end is the append the crash interrupted: the commits before it read back whole', async () => {
    const bytes = new Uint8Array(await readFile(await fileOf(source.killed, /^\d+\.log$/)))
    const last = recordStarts(bytes).at(-1) as number
    const { dir, file } = await scratchCopy('killed', /^\d+\.log$/)
    await cutTo(file, last + 20)
    const store = createLevelStore({ location: dir })
    try {
      const head = await store.load(ID)
      expect(head.status).toBe('running')
      expect(await store.readTrials(ID)).toEqual(written.slice(0, head.progress.attempts))
      expect(head.progress.attempts).toBe(TRIALS - 1)
    } finally {
      await store.close()
    }
  })
})

describe('a damaged MANIFEST or CURRENT', () => {
  it('a flipped bit in the MANIFEST → CheckpointCorruptError naming it, nothing changed', async () => {
    for (const from of ['closed', 'killed'] as const) {
      const size = (await stat(await fileOf(source[from], /^MANIFEST-\d+$/))).size
      for (const at of offsets(size, 8)) {
        const result = await damagedReadBack(from, /^MANIFEST-\d+$/, (f) => flipBit(f, at, at % 8))
        expect({ from, at, ...result }).toMatchObject({ from, at, outcome: 'corrupt', unchanged: true })
        expect((result as { message: string }).message).toMatch(/MANIFEST-\d+ (is damaged at byte|ends inside)/)
      }
    }
  })

  it('a truncated MANIFEST of a closed database → CheckpointCorruptError, nothing changed', async () => {
    const size = (await stat(await fileOf(source.closed, /^MANIFEST-\d+$/))).size
    for (const cut of [size - 1, 10]) {
      const result = await damagedReadBack('closed', /^MANIFEST-\d+$/, (f) => cutTo(f, cut))
      expect({ cut, ...result }).toMatchObject({ cut, outcome: 'corrupt', unchanged: true })
    }
  })

  it("a MANIFEST whose records pass their checksums but that LevelDB cannot read → LevelDB's own report, as CheckpointCorruptError", async () => {
    const crc = await crc32c()
    const payload = Uint8Array.from([0xff, 0xff, 0x01, 0x02, 0x03])
    const record = new Uint8Array(7 + payload.length)
    record.set([payload.length & 0xff, payload.length >> 8, 1], 4)
    record.set(payload, 7)
    const sum = crc.of(record.subarray(6))
    const masked = (((sum >>> 15) | (sum << 17)) + 0xa282ead8) >>> 0
    new DataView(record.buffer).setUint32(0, masked, true)
    const result = await damagedReadBack('killed', /^MANIFEST-\d+$/, (f) => writeFile(f, record))
    expect(result).toMatchObject({ outcome: 'corrupt', unchanged: true })
    expect((result as { message: string }).message).toMatch(/LevelDB database at ".*" is corrupt: LevelDB reports: Corruption/)
  })

  it('CURRENT garbled, naming a missing MANIFEST, or missing → CheckpointCorruptError, nothing changed', async () => {
    const cases: Array<[string, (f: string) => Promise<void>, RegExp]> = [
      ['garbled', (f) => writeFile(f, 'MANIFEST-00000\u0007'), /CURRENT file does not name a MANIFEST/],
      ['no newline', (f) => flipBit(f, 15, 3), /CURRENT file does not name a MANIFEST/],
      ['names a missing MANIFEST', (f) => writeFile(f, 'MANIFEST-000999\n'), /CURRENT file names MANIFEST-000999, which is missing/],
      ['missing', (f) => rm(f), /its CURRENT file is missing/],
    ]
    for (const from of ['closed', 'killed'] as const)
      for (const [name, damage, message] of cases) {
        const result = await damagedReadBack(from, /^CURRENT$/, damage)
        expect({ from, name, ...result }).toMatchObject({ from, name, outcome: 'corrupt', unchanged: true })
        expect((result as { message: string }).message).toMatch(message)
      }
  })
})
