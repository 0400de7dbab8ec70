/**
 * Optuna 3.1 side of bench/workers.ts: python worker processes (bench/optuna/workers.py) on
 * one JournalFileStorage study and one SQLite study, each running `study.optimize` with a
 * MaxTrialsCallback until the study holds the trials; then what a SIGKILLed worker costs.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killSeries } from './kill-series.js'
import { PYTHON } from './optuna.js'
import { edges, gapFigures, idleGaps } from './timeline.js'
import { WorkerPool, type PooledWorker } from './worker-pool.js'
import { killAtMs, pace, rerunFigures, withEfficiency, type RunFigures } from './workers-figures.js'

export type OptunaStorage = 'journal' | 'sqlite'

/** What `summary` of bench/optuna/workers.py answers. */
interface StudySummary {
  optuna: string
  trials: number
  states: Record<string, number>
  complete: number
  reachedMs: number | null
  beyondLimit: number
  completedTwice: number
  stuckRunning: number
}

/** A kill run on one storage. */
export interface OptunaKillFigures {
  storage: OptunaStorage
  /** Heartbeat 1 s, grace 2 s and RetryFailedTrialCallback (SQLite only in Optuna 3.1). */
  heartbeat: boolean
  workers: number
  trials: number
  kills: number
  /** Killed trials left RUNNING for good once the study is done. */
  stuckRunning: number
  /** Killed trials marked FAIL by the heartbeat (each re-run as a new trial when retried). */
  failed: number
  /** Candidates that completed twice. */
  completedTwice: number
  /** Trials beyond `trials` that completed (workers that started one more before they saw the limit). */
  beyondLimit: number
  rerunMs: (number | null)[]
  medianRerunMs: number | null
  maxRerunMs: number | null
  /** Errors a worker's `optimize` raised (e.g. SQLite's "database is locked"). */
  workerErrors: string[]
}

export interface OptunaFigures {
  version: string
  runs: Record<OptunaStorage, RunFigures[]>
  kills: OptunaKillFigures[]
}

export interface OptunaSideOptions {
  counts: readonly number[]
  trials: number
  sleepMs: number
  kills: number
  killWorkers: number
  killTrials: number
  /** Worker processes to start at once, before the first run. */
  processes: number
  /** Scratch directory (one sub-directory per study). */
  dir: string
  log(line: string): void
}

const script = fileURLToPath(new URL('../optuna/workers.py', import.meta.url))

interface Study {
  storage: OptunaStorage
  path: string
  study: string
  trials: number
  sleep: number
  heartbeat?: boolean
}

async function newStudy(pool: WorkerPool, o: OptunaSideOptions, name: string, s: Omit<Study, 'path' | 'study'>): Promise<Study> {
  const path = join(o.dir, name)
  await mkdir(path, { recursive: true })
  const study: Study = { ...s, path, study: name }
  await pool.alive()[0]!.ask('create', study)
  return study
}

/** The Optuna version the workers report. */
const seen = { version: '' }

async function summary(pool: WorkerPool, study: Study, t0: number): Promise<StudySummary> {
  const s = await pool.alive()[0]!.ask<StudySummary>('summary', { ...study, t0 })
  seen.version = s.optuna
  return s
}

/** Has `workers` open `study` (untimed: the storage and the study loaded). */
async function open(workers: readonly PooledWorker[], study: Study): Promise<void> {
  await Promise.all(workers.map((w) => w.ask('open', study)))
}

/** Tells `workers` to go on `study` (opened); resolves with their `done` answers (null for a worker killed meanwhile). */
function go(workers: readonly PooledWorker[], study: Study): Promise<({ error?: string } | null)[]> {
  return Promise.all(
    workers.map((w) => {
      const done = w.next('done', 600_000).then(
        (a) => JSON.parse(a) as { error?: string },
        () => null,
      )
      w.send(`go ${JSON.stringify(study)}`)
      return done
    }),
  )
}

async function throughput(
  pool: WorkerPool,
  o: OptunaSideOptions,
  storage: OptunaStorage,
  n: number,
  name = `${storage}-${n}`,
): Promise<RunFigures> {
  const study = await newStudy(pool, o, name, { storage, trials: o.trials, sleep: o.sleepMs / 1000 })
  const workers = pool.alive().slice(0, n)
  await open(workers, study)
  const t0 = Date.now()
  const answers = await go(workers, study)
  const errors = answers.flatMap((a) => (a?.error ? [a.error] : []))
  const s = await summary(pool, study, t0)
  if (s.reachedMs === null)
    throw new Error(`Optuna ${storage}, ${n} workers: ${s.complete} of ${o.trials} trials completed (${errors.join('; ')})`)
  const seconds = s.reachedMs / 1000
  o.log(`optuna ${storage} ${n} workers: ${seconds.toFixed(2)} s`)
  return {
    workers: n,
    ...pace(o.trials, o.sleepMs, n, seconds),
    ...gapFigures(idleGaps(workers, t0, o.sleepMs)),
    ...edges(workers, t0, t0 + s.reachedMs, o.sleepMs),
  }
}

async function killRun(pool: WorkerPool, o: OptunaSideOptions, storage: OptunaStorage, heartbeat: boolean): Promise<OptunaKillFigures> {
  const need = o.killWorkers + o.kills
  if (pool.alive().length < need) await pool.grow(need - pool.alive().length)
  o.log(`optuna kill run: ${need} workers ready`)
  const name = `kill-${storage}${heartbeat ? '-heartbeat' : ''}`
  const study = await newStudy(pool, o, name, { storage, trials: o.killTrials, sleep: o.sleepMs / 1000, heartbeat })
  const [active, spares] = [pool.alive().slice(0, o.killWorkers), pool.alive().slice(o.killWorkers, need)]
  await open([...active, ...spares], study)
  const t0 = Date.now()
  let over = false
  const done = go(active, study)
  // The study is done when the first worker that was not killed stops.
  const firstDone = Promise.race(active.map((w) => w.next('done', 600_000).catch(() => new Promise<never>(() => {}))))
  void firstDone.then(() => (over = true))
  const { kills, spareDones } = await killSeries({
    pool,
    active,
    spares,
    goLine: `go ${JSON.stringify(study)}`,
    kills: o.kills,
    fromTrial: o.killWorkers,
    midTrialMs: killAtMs(o.sleepMs),
    ...(heartbeat ? { rerun: (s, trial) => s.retriedOf === trial } : {}),
    over: () => over,
  })
  const answers = [...(await done), ...(await Promise.all(spareDones)).map((a) => (a ? (JSON.parse(a) as { error?: string }) : null))]
  const s = await summary(pool, study, t0)
  o.log(`optuna kill ${name}: ${kills.length} kills, ${s.stuckRunning} stuck RUNNING, states ${JSON.stringify(s.states)}`)
  return {
    storage,
    heartbeat,
    workers: o.killWorkers,
    trials: o.killTrials,
    kills: kills.length,
    stuckRunning: s.stuckRunning,
    failed: s.states.FAIL ?? 0,
    completedTwice: s.completedTwice,
    beyondLimit: s.beyondLimit,
    ...rerunFigures(kills),
    workerErrors: answers.flatMap((a) => (a?.error ? [a.error] : [])),
  }
}

/** Runs the Optuna side: throughput per storage and worker count, then the kill runs. */
export async function optunaSide(o: OptunaSideOptions): Promise<OptunaFigures> {
  const pool = new WorkerPool(PYTHON, [script])
  try {
    const most = Math.max(...o.counts)
    await pool.grow(Math.max(most, o.processes))
    o.log(`optuna: ${pool.alive().length} workers ready`)
    const runs = { journal: [] as RunFigures[], sqlite: [] as RunFigures[] }
    for (const storage of ['journal', 'sqlite'] as const) {
      // Not measured: each storage's code paths are loaded in every worker before the first run.
      await throughput(pool, { ...o, trials: most, sleepMs: 20, log: () => {} }, storage, most, `warm-up-${storage}`)
      for (const n of o.counts) runs[storage].push(await throughput(pool, o, storage, n))
      runs[storage] = withEfficiency(runs[storage])
    }
    const kills: OptunaKillFigures[] = []
    if (o.kills > 0) {
      kills.push(await killRun(pool, o, 'journal', false))
      kills.push(await killRun(pool, o, 'sqlite', false))
      kills.push(await killRun(pool, o, 'sqlite', true))
    }
    return { version: seen.version, runs, kills }
  } finally {
    await pool.close()
  }
}
