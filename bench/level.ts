/**
 * Benchmark of @cairn/store-level.
 *
 * - per-trial commit cost (one ~300-byte trial + head, `sync: true`) with 100 and with
 *   10,000 prior trials, beside one raw `level` put with `sync: true` of the same bytes;
 * - the same commit on a store that serves no other process (`serve: false`), and on one
 *   another process reads through all along (`bench/lib/level-reader.ts`: the head and the
 *   new trials every 20 ms), beside the default (serving, nobody connected);
 * - resume time of a 10,000-trial session: open the store, load the head, read every trial;
 * - open time of a database whose write-ahead log is nearly full (the store verifies every
 *   log record before LevelDB opens it), beside a raw `level` open of the same files.
 *
 * Targets: commit ≤ 2× the raw durable put; flat from 100 to 10,000 prior trials;
 * resume ≤ 150 ms. Medians over many iterations.
 *
 * Standalone: `node --conditions=@cairn/source --import tsx bench/level.ts` (prints a table
 * and JSON). `pnpm bench` imports `run()`.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { encodeHead, encodeTrial } from '@cairn/core/store-kit'
import { createLevelStore, type LevelStore } from '@cairn/store-level'
import { median, printTable, round, type Row } from './lib/stats.js'
import { benchHead, benchTrial } from './lib/records.js'
import { Level } from './lib/raw-writes.js'

const ROUNDS = 10
const COMMITS_PER_ROUND = 100
const RESUME_RUNS = 15
/** One-trial commits that fill LevelDB's write-ahead log close to its 4 MiB write buffer. */
const FULL_LOG_COMMITS = 3_000
const OPEN_RUNS = 5
const LARGE = 10_000
const SMALL = 100

export type LevelBenchFigures = {
  /** Median µs of one raw `level` put with `sync: true` of the bytes a commit writes. */
  rawDurablePutUs: number
  /** Median µs of `commit` (one trial + head, `sync: true`) after 100 prior trials. */
  commitAt100Us: number
  /** Median µs of `commit` after 10,000 prior trials. */
  commitAt10000Us: number
  /** commitAt10000Us / rawDurablePutUs (target ≤ 2). */
  ratioToRawPut: number
  /** commitAt10000Us / commitAt100Us (target ≈ 1: flat). */
  flatness: number
  /** Median µs of `commit` (100+ prior trials) on a store with `serve: false`: no socket at all. */
  commitServeOffUs: number
  /** Median µs of `commit` (100+ prior trials) while another process reads through the store every 20 ms. */
  commitWhileReadUs: number
  /** commitAt100Us / commitServeOffUs: what serving costs a holder nobody reads (target ≤ 1.2). */
  servedIdleRatio: number
  /** commitWhileReadUs / commitServeOffUs: what a busy reader costs the holder's commits. */
  whileReadRatio: number
  /** Median µs of `commit` on a store with `sync: false` (100+ prior trials), for the README's trade-off. */
  commitNoSyncUs: number
  /** Median ms to open the store, load the head and read all 10,000 trials (target ≤ 150). */
  resume10000Ms: number
  /** Median CPU ms (user + system, all threads) of that resume: less sensitive to a busy machine. */
  resume10000CpuMs: number
  /** Size of the write-ahead log of the "full log" database below (close to LevelDB's 4 MiB write buffer). */
  fullLogBytes: number
  /** Median ms of `open()` of that database: the store's verification, then LevelDB's own recovery of the log. */
  openFullLogMs: number
  /** Median ms of a raw `level` open of the same database (LevelDB's recovery alone): the difference is the verification. */
  rawOpenFullLogMs: number
  /** Bytes written per commit (encoded trial + head). */
  bytesPerCommit: number
  iterations: { commits: number; resumes: number }
}

/** Starts `bench/lib/level-reader.ts` on the store at `location` (held by this process) and waits until it reads. */
async function startReader(location: string, sessionId: string): Promise<{ stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./lib/level-reader.ts', import.meta.url))
  const child = spawn(process.execPath, ['--conditions=@cairn/source', '--import', 'tsx', script, location, sessionId, '20'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const [line] = (await once(child.stdout, 'data')) as [Buffer]
  if (!line.toString().startsWith('reading')) throw new Error(`level-reader: ${line}`)
  return {
    async stop() {
      child.stdin.end()
      const [code] = (await once(child, 'exit')) as [number | null]
      if (code !== 0) throw new Error(`level-reader exited with ${code}`)
    },
  }
}

/** A session with `n` trials, committed in one batch (setup, not measured). */
async function seedSession(store: LevelStore, id: string, n: number): Promise<{ revision: number; attempts: number }> {
  await store.create(benchHead(id, 0))
  const trials = Array.from({ length: n }, (_, i) => benchTrial(i))
  const { revision } = await store.commit(id, { expectedRevision: 0, fencingToken: 1, head: benchHead(id, n), trials })
  return { revision, attempts: n }
}

const nowUs = () => Number(process.hrtime.bigint()) / 1e3

export async function run(): Promise<LevelBenchFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-level-'))
  try {
    const location = join(dir, 'store')
    let store = createLevelStore({ location })
    const small = await seedSession(store, 'bench-100', SMALL)
    const large = await seedSession(store, 'bench-10000', LARGE)
    const fastStore = createLevelStore({ location: join(dir, 'no-sync'), sync: false })
    const fast = await seedSession(fastStore, 'bench-no-sync', SMALL)
    const offStore = createLevelStore({ location: join(dir, 'serve-off'), serve: false })
    const off = await seedSession(offStore, 'bench-serve-off', SMALL)
    const readStore = createLevelStore({ location: join(dir, 'read') })
    const read = await seedSession(readStore, 'bench-read', SMALL)
    const reader = await startReader(join(dir, 'read'), 'bench-read')

    const raw = new Level(join(dir, 'raw'), { keyEncoding: 'utf8', valueEncoding: 'view' })
    await raw.open()
    const bytesPerCommit = encodeTrial(benchTrial(LARGE)).length + encodeHead(benchHead('bench-10000', LARGE + 1)).length
    const rawValue = new Uint8Array(bytesPerCommit).fill(0x5a)

    const rawUs: number[] = []
    const smallUs: number[] = []
    const largeUs: number[] = []
    const noSyncUs: number[] = []
    const offUs: number[] = []
    const whileReadUs: number[] = []
    const commitOne = async (id: string, s: { revision: number; attempts: number }, on = store) => {
      const t = benchTrial(s.attempts)
      const h = benchHead(id, s.attempts + 1)
      const start = nowUs()
      const r = await on.commit(id, { expectedRevision: s.revision, fencingToken: 1, head: h, trials: [t] })
      const took = nowUs() - start
      s.revision = r.revision
      s.attempts++
      return took
    }
    // Interleave the three, one of each in turn, so drift in the machine's load hits them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < COMMITS_PER_ROUND; i++) {
        const start = nowUs()
        await raw.put(`raw-${round}-${i}`, rawValue, { sync: true })
        rawUs.push(nowUs() - start)
        smallUs.push(await commitOne('bench-100', small))
        largeUs.push(await commitOne('bench-10000', large))
        noSyncUs.push(await commitOne('bench-no-sync', fast, fastStore))
        offUs.push(await commitOne('bench-serve-off', off, offStore))
        whileReadUs.push(await commitOne('bench-read', read, readStore))
      }
    }
    await reader.stop()
    await Promise.all([fastStore.close(), offStore.close(), readStore.close()])
    await raw.close()
    // The "100" session ends at 100 + ROUNDS × COMMITS_PER_ROUND trials; the "10,000" one starts there.

    const resumeMs: number[] = []
    const resumeCpuMs: number[] = []
    let readBack = 0
    for (let i = 0; i < RESUME_RUNS; i++) {
      await store.close()
      const start = nowUs()
      const cpu = process.cpuUsage()
      store = createLevelStore({ location })
      await store.open()
      const h = await store.load('bench-10000')
      const trials = await store.readTrials('bench-10000')
      resumeMs.push((nowUs() - start) / 1e3)
      const used = process.cpuUsage(cpu)
      resumeCpuMs.push((used.user + used.system) / 1e3)
      readBack = trials.length
      if (trials.length !== h.progress.attempts) throw new Error('resume read an inconsistent session')
    }
    await store.close()
    if (readBack < LARGE) throw new Error(`resume read ${readBack} trials`)

    // Opening a database whose write-ahead log is nearly full: the worst case of the verification.
    const full = join(dir, 'full-log')
    const filler = createLevelStore({ location: full, sync: false })
    const filled = await seedSession(filler, 'full', 0)
    for (let i = 0; i < FULL_LOG_COMMITS; i++) await commitOne('full', filled, filler)
    await filler.close()
    const log = (await readdir(full)).find((n) => n.endsWith('.log')) as string
    const fullLogBytes = (await stat(join(full, log))).size
    const openMs: number[] = []
    const rawOpenMs: number[] = []
    // Each open recovers the log into a table file, so each one gets a fresh copy; store and raw alternate.
    for (let i = 0; i < OPEN_RUNS; i++) {
      const copy = join(dir, `full-log-${i}`)
      await cp(full, copy, { recursive: true })
      const opened = createLevelStore({ location: copy })
      let start = nowUs()
      await opened.open()
      openMs.push((nowUs() - start) / 1e3)
      await opened.close()
      const rawCopy = join(dir, `full-log-raw-${i}`)
      await cp(full, rawCopy, { recursive: true })
      const rawDb = new Level(rawCopy, { keyEncoding: 'utf8', valueEncoding: 'view' })
      start = nowUs()
      await rawDb.open()
      rawOpenMs.push((nowUs() - start) / 1e3)
      await rawDb.close()
    }

    const rawDurablePutUs = median(rawUs)
    const commitAt100Us = median(smallUs)
    const commitAt10000Us = median(largeUs)
    const commitServeOffUs = median(offUs)
    return {
      rawDurablePutUs: round1(rawDurablePutUs),
      commitAt100Us: round1(commitAt100Us),
      commitAt10000Us: round1(commitAt10000Us),
      ratioToRawPut: round2(commitAt10000Us / rawDurablePutUs),
      flatness: round2(commitAt10000Us / commitAt100Us),
      commitServeOffUs: round1(commitServeOffUs),
      commitWhileReadUs: round1(median(whileReadUs)),
      servedIdleRatio: round2(commitAt100Us / commitServeOffUs),
      whileReadRatio: round2(median(whileReadUs) / commitServeOffUs),
      commitNoSyncUs: round1(median(noSyncUs)),
      resume10000Ms: round1(median(resumeMs)),
      resume10000CpuMs: round1(median(resumeCpuMs)),
      fullLogBytes,
      openFullLogMs: round1(median(openMs)),
      rawOpenFullLogMs: round1(median(rawOpenMs)),
      bytesPerCommit,
      iterations: { commits: ROUNDS * COMMITS_PER_ROUND, resumes: RESUME_RUNS },
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const round1 = (n: number) => round(n, 1)
const round2 = (n: number) => round(n, 2)

export const title = '@cairn/store-level: durable commit and resume (medians)'

export function table(f: LevelBenchFigures): Row[] {
  return [
    { what: `raw level put, sync: true (${f.bytesPerCommit} B)`, median: `${f.rawDurablePutUs} µs`, target: '' },
    { what: 'commit, 100 prior trials', median: `${f.commitAt100Us} µs`, target: '' },
    { what: 'commit, 10,000 prior trials', median: `${f.commitAt10000Us} µs`, target: '' },
    { what: 'commit / raw put', median: f.ratioToRawPut, target: '≤ 2' },
    { what: 'commit at 10,000 / at 100', median: f.flatness, target: '≈ 1 (flat)' },
    { what: 'commit, serve: false (no socket)', median: `${f.commitServeOffUs} µs`, target: '' },
    { what: 'commit, served, nobody reading / serve: false', median: f.servedIdleRatio, target: '≤ 1.2' },
    { what: 'commit while another process reads every 20 ms', median: `${f.commitWhileReadUs} µs`, target: '' },
    { what: 'commit while read / serve: false', median: f.whileReadRatio, target: '' },
    { what: 'commit, sync: false', median: `${f.commitNoSyncUs} µs`, target: '' },
    { what: 'resume 10,000 trials (open + load + readTrials)', median: `${f.resume10000Ms} ms`, target: '≤ 150 ms' },
    { what: 'resume 10,000 trials, CPU time', median: `${f.resume10000CpuMs} ms`, target: '' },
    { what: `open, ${(f.fullLogBytes / 2 ** 20).toFixed(1)} MiB write-ahead log (verified)`, median: `${f.openFullLogMs} ms`, target: '' },
    { what: 'raw level open of the same (no verification)', median: `${f.rawOpenFullLogMs} ms`, target: '' },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const f = await run()
  console.log(JSON.stringify(f, null, 2))
  printTable(title, table(f))
}
