/**
 * Benchmark of durable ask/tell (issue 15).
 *
 * - 1,000 asks + tells through the API (`session.ask()` / `session.tell()`, random search) on
 *   `fs:` and `level:`: the median cost of one ask and one tell, beside one raw durable write of
 *   the store's kind (`bench/lib/raw-writes.ts`). Each call takes the session's lease, commits
 *   once (compare-and-set) and lets the lease go, so any process may call next.
 * - 100 asks + 100 tells through the CLI (`cairn ask` / `cairn tell`, one Node process each)
 *   from 4 shells at once on one `fs:` store: no duplicate trial, no lost tell, wall time.
 * - Optuna 3.1 `study.ask()` / `study.tell()` on SQLite and journal storage, 1,000 trials
 *   (`/usr/bin/python3 bench/optuna/ask_tell.py`), when Optuna is installed.
 *
 * `pnpm bench ask-tell`; standalone: `node --conditions=@cairn/source --import tsx bench/ask-tell.ts`.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { type CheckpointStore, float, int, space, startSession } from '@cairn/core'
import { randomSearch } from '@cairn/optimizers'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { openRawLevel, rawFsWrite, type RawWrite } from './lib/raw-writes.js'
import { median, round, type Row } from './lib/stats.js'

const exec = promisify(execFile)
const API_TRIALS = 1_000
const SHELLS = 4
const PER_SHELL = 25
const RAW_WRITES = 200
const benchSpace = space({ x: float(-5, 5), n: int(0, 9) })
const score = (c: { x: number; n: number }): number => c.x * c.x + c.n

interface ApiFigures {
  askUs: number
  tellUs: number
  rawWriteUs: number
  /** askUs / rawWriteUs: each ask is a lease, a commit and a release. */
  askToRaw: number
  wallS: number
}

async function timeRaw(write: RawWrite): Promise<number> {
  const bytes = new Uint8Array(600).fill(7)
  const samples: number[] = []
  for (let i = 0; i < RAW_WRITES; i++) {
    const t0 = performance.now()
    await write(bytes)
    samples.push((performance.now() - t0) * 1000)
  }
  return median(samples)
}

async function api(store: CheckpointStore, raw: RawWrite): Promise<ApiFigures> {
  const h = await startSession({ store, optimizer: randomSearch(), space: benchSpace, seed: 1, maxTrials: API_TRIALS })
  const asks: number[] = []
  const tells: number[] = []
  const started = performance.now()
  for (;;) {
    const t0 = performance.now()
    const t = await h.ask()
    const t1 = performance.now()
    if (!t) break
    await h.tell(t.trialIdx, score(t.candidate as { x: number; n: number }))
    asks.push((t1 - t0) * 1000)
    tells.push((performance.now() - t1) * 1000)
  }
  const wallS = (performance.now() - started) / 1000
  if (h.poll().progress.attempts !== API_TRIALS) throw new Error(`expected ${API_TRIALS} trials, got ${h.poll().progress.attempts}`)
  const rawWriteUs = await timeRaw(raw)
  const askUs = median(asks)
  return {
    askUs: round(askUs, 0),
    tellUs: round(median(tells), 0),
    rawWriteUs: round(rawWriteUs, 0),
    askToRaw: round(askUs / rawWriteUs, 2),
    wallS: round(wallS, 2),
  }
}

async function cli(
  dir: string,
): Promise<{ shells: number; asks: number; wallS: number; duplicates: number; lostTells: number; perCallMs: number }> {
  const bin = fileURLToPath(new URL('../packages/cli/bin/cairn.js', import.meta.url))
  const config = fileURLToPath(new URL('./lib/ask-tell.config.mjs', import.meta.url))
  const base = ['--config', config, '--store', `fs:${join(dir, 'cli')}`]
  const cairn = (args: string[]) => exec(process.execPath, [bin, ...base, ...args], { cwd: dir })
  await cairn(['create', 'remote', '--session-id', 'shells', '--trials', String(SHELLS * PER_SHELL)])
  const started = performance.now()
  const seen = (
    await Promise.all(
      Array.from({ length: SHELLS }, async () => {
        const mine: number[] = []
        for (let i = 0; i < PER_SHELL; i++) {
          const t = JSON.parse((await cairn(['ask', 'shells', '--json'])).stdout) as {
            trialIdx: number
            candidate: { x: number; n: number }
          }
          mine.push(t.trialIdx)
          await cairn(['tell', 'shells', String(t.trialIdx), String(score(t.candidate))])
        }
        return mine
      }),
    )
  ).flat()
  const wallS = (performance.now() - started) / 1000
  const show = JSON.parse((await cairn(['show', 'shells', '--json', '--trials', '0'])).stdout) as {
    head: { progress: { attempts: number }; status: string }
  }
  const store = createFsStore({ dir: join(dir, 'cli') })
  const trials = await store.readTrials('shells')
  await store.close?.()
  const distinct = new Set(trials.map((t) => JSON.stringify(t.candidate))).size
  return {
    shells: SHELLS,
    asks: seen.length,
    wallS: round(wallS, 1),
    duplicates: seen.length - new Set(seen).size + (trials.length - distinct),
    lostTells: SHELLS * PER_SHELL - show.head.progress.attempts,
    perCallMs: round((wallS * 1000 * SHELLS) / (2 * SHELLS * PER_SHELL), 0),
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-ask-tell-'))
  try {
    const fs = await api(createFsStore({ dir: join(dir, 'fs') }), rawFsWrite(dir))
    const levelStore = createLevelStore({ location: join(dir, 'level') })
    const rawLevel = await openRawLevel(join(dir, 'raw-level'))
    const level = await api(levelStore, rawLevel.write)
    await levelStore.close()
    await rawLevel.close()
    const shells = await cli(dir)
    const optuna: Record<string, unknown> = {}
    if (await optunaAvailable()) {
      for (const storage of ['sqlite', 'journal']) optuna[storage] = await runOptunaScript('ask_tell.py', [storage, String(API_TRIALS)])
    } else optuna['skipped'] = 'Optuna 3.1 not importable by /usr/bin/python3'
    return { trials: API_TRIALS, fs, level, cli: shells, optuna }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export const title = 'ask/tell: median µs per call (1,000 asks + tells), and 4 shells × 25 through the CLI'

export function table(r: Record<string, unknown>): Row[] {
  const rows: Row[] = []
  for (const kind of ['fs', 'level'] as const) {
    const f = r[kind] as ApiFigures
    rows.push({
      what: `cairn ${kind}: API`,
      askUs: f.askUs,
      tellUs: f.tellUs,
      rawWriteUs: f.rawWriteUs,
      askToRaw: f.askToRaw,
      wallS: f.wallS,
    })
  }
  const o = r['optuna'] as Record<string, { askUs: number; tellUs: number; wallS: number }>
  for (const storage of ['sqlite', 'journal']) {
    const f = o[storage]
    if (f)
      rows.push({
        what: `optuna ${storage}`,
        askUs: round(f.askUs, 0),
        tellUs: round(f.tellUs, 0),
        rawWriteUs: '-',
        askToRaw: '-',
        wallS: round(f.wallS, 2),
      })
  }
  const c = r['cli'] as Awaited<ReturnType<typeof cli>>
  rows.push({
    what: `cairn fs: CLI, ${c.shells} shells × ${c.asks / c.shells}`,
    askUs: `${c.perCallMs} ms/call`,
    tellUs: `dup ${c.duplicates}`,
    rawWriteUs: `lost ${c.lostTells}`,
    askToRaw: '-',
    wallS: c.wallS,
  })
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printTable } = await import('./lib/stats.js')
  const result = await run()
  console.log(JSON.stringify(result, null, 2))
  printTable(title, table(result))
}
