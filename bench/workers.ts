/**
 * Many workers, one session: throughput of 1, 2, 4 and 8 worker processes on one session,
 * side by side with Optuna 3.1 on one study, in one run.
 *
 *   pnpm bench workers
 *   node --conditions=@cairn/source --import tsx bench/workers.ts [--counts 1,2,4,8] [--trials 64]
 *       [--kills 3] [--overlap 2] [--separate-claim] [--unwatched] [--worker-poll ms] [--coordinator-poll ms]
 *       [--no-dynamodb] [--no-optuna] [--no-cairn] [--json] [--quiet]
 *
 * The objective sleeps 500 ms (an I/O-bound remote trial); each run evaluates 64 trials.
 * Every worker is its own process, started and `ready` before the runs (its import time is not
 * measured) and warmed by one unmeasured run, then told to go:
 *
 * - Cairn: the coordinator is this process (`startSession({ evaluation: 'shared',
 *   evaluateLocally: false, parallelism })`, parallelism = workers unless `--overlap` adds runs
 *   with a multiple of it), the workers are node processes calling `joinSession`
 *   (bench/lib/workers-child.ts) with the library's default poll intervals; on the fs store and
 *   on DynamoDB Local. Time: from `startSession` to the session's last commit.
 * - Optuna: python processes (bench/optuna/workers.py) running `study.optimize` with a
 *   MaxTrialsCallback on one JournalFileStorage study and one SQLite study. Time: from the go
 *   to the completion of the 64th trial.
 *
 * Efficiency = speed-up / workers, the speed-up relative to 1 worker (target ≥ 0.9 at 8); "of
 * ideal" compares with 64 × 500 ms / workers. The idle gap (a worker's time between the end of a
 * trial and the start of its next) says how much each trial costs beyond its 500 ms, and for
 * Cairn the breakdown says where it goes (bench/lib/cairn-breakdown.ts; and each gap cut into
 * consecutive parts that add up to it: bench/lib/gap-partition.ts), with the durations of the
 * store calls (bench/lib/store-timing.ts) and the CPU time per trial.
 *
 * Then kills: 4 workers on a 48-trial run, and one worker after another is SIGKILLed 200 ms
 * into a trial while a ready spare takes its place. Cairn (trial lease ttl 1 s): the time from
 * the kill to the trial starting again in another worker, against ttl + one poll, and whether
 * every trial was committed exactly once. Optuna: what the study is left with (trials stuck
 * RUNNING, candidates completed twice, workers that died) on both storages, and on SQLite with
 * a heartbeat and RetryFailedTrialCallback also the time to the re-run.
 *
 * Every figure is wall-clock time on whatever machine runs it: the report starts with the load
 * average.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDynamoDbStore, createTable } from '@cairn/store-dynamodb'
import { localClientConfig, startDynamoDbLocal } from '@cairn/store-dynamodb/testing'
import { createFsStore } from '@cairn/store-fs'
import { integerFlag, integerListFlag, readCli, type Cli } from './lib/args.js'
import { cairnPool, cairnSide, type CairnKillFigures, type CairnSideOptions, type CairnStoreFigures } from './lib/workers-cairn.js'
import { PYTHON, optunaAvailable } from './lib/optuna.js'
import { printTable, round, type Row } from './lib/stats.js'
import type { Spread } from './lib/cairn-breakdown.js'
import type { PartSpread } from './lib/gap-partition.js'
import type { CallSummary } from './lib/store-timing.js'
import { killAtMs, type RunFigures } from './lib/workers-figures.js'
import type { WorkerPool } from './lib/worker-pool.js'
import { optunaSide, type OptunaFigures, type OptunaKillFigures } from './lib/workers-optuna.js'

/** Options of `run`. */
export interface WorkersBenchOptions {
  /** Worker counts (default 1, 2, 4, 8; the speed-up needs 1). */
  counts?: number[]
  /** Trials per throughput run (default 64). */
  trials?: number
  /** The objective's sleep (default 500 ms). */
  sleepMs?: number
  /** Workers SIGKILLed per kill run (default 3; 0 skips the kill runs). */
  kills?: number
  /** Include DynamoDB Local (default true). */
  dynamodb?: boolean
  /** Include Optuna (default true, when Debian's python3 can import it). */
  optuna?: boolean
  /** Include Cairn (default true). */
  cairn?: boolean
  /** Also run Cairn with parallelism = factor × workers (default none). */
  overlap?: number[]
  /** Also run each Cairn count with workers that report, then claim after the commit, in two calls (default false). */
  separateClaim?: boolean
  /** Also run each Cairn count with stores shown without `watchSession`: polls alone (default false). */
  unwatched?: boolean
  /** Cairn workers' poll interval (default: the library's, 100 ms). */
  workerPollMs?: number
  /** Cairn coordinator's poll interval (default: the library's, 50 ms). */
  coordinatorPollMs?: number
  /** Progress lines on stderr (default true). */
  verbose?: boolean
}

/** Workers and trials of the kill runs. */
const KILL_WORKERS = 4
const KILL_TRIALS = 48
/** Trial lease ttl of Cairn's workers in the kill runs (the default is 30 s). */
const KILL_LEASE_TTL_MS = 1_000

export interface WorkersReport {
  trials: number
  sleepMs: number
  counts: number[]
  /** Load average (1, 5, 15 min) when the run started and ended: every figure here is wall-clock time. */
  loadAverage: { start: number[]; end: number[] }
  cairn: { fs?: CairnStoreFigures; dynamodb?: CairnStoreFigures | { skipped: string } }
  optuna: OptunaFigures | { skipped: string }
}

/** Worker processes for the throughput runs and `killRuns` kill runs, each killing `kills` of them. */
export function processesNeeded(counts: readonly number[], kills: number, killRuns: number): number {
  if (kills === 0) return Math.max(...counts)
  return Math.max(...counts, KILL_WORKERS + kills) + kills * (killRuns - 1)
}

/** The Cairn side on a DynamoDB Local started for it (skipped, with the reason, when it cannot start). */
async function onDynamoDbLocal(pool: WorkerPool, side: CairnSideOptions): Promise<CairnStoreFigures | { skipped: string }> {
  let local: Awaited<ReturnType<typeof startDynamoDbLocal>>
  try {
    local = await startDynamoDbLocal({ timeoutMs: 90_000 })
    side.log(`DynamoDB Local up at ${local.endpoint}`)
  } catch (err) {
    return { skipped: `DynamoDB Local did not start: ${(err as Error).message}` }
  }
  const tableName = 'cairn-bench-workers'
  const clientConfig = localClientConfig(local.endpoint)
  try {
    await createTable({ tableName, clientConfig })
    const store = createDynamoDbStore({ tableName, clientConfig })
    try {
      return await cairnSide(pool, store, { store: 'dynamodb', endpoint: local.endpoint, tableName }, 'dynamodb', side)
    } finally {
      await store.close()
    }
  } finally {
    await local.stop()
  }
}

export async function run(opts: WorkersBenchOptions = {}): Promise<WorkersReport> {
  const counts = opts.counts ?? [1, 2, 4, 8]
  const trials = opts.trials ?? 64
  const sleepMs = opts.sleepMs ?? 500
  const kills = opts.kills ?? 3
  const began = performance.now()
  const log = (line: string): void => {
    if (opts.verbose !== false) process.stderr.write(`workers [${((performance.now() - began) / 1000).toFixed(1)} s]: ${line}\n`)
  }
  const start = loadavg().map((l) => round(l, 2))
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-workers-'))
  try {
    let optuna: WorkersReport['optuna'] = { skipped: 'not asked for' }
    if (opts.optuna !== false) {
      optuna = (await optunaAvailable())
        ? await optunaSide({
            counts,
            trials,
            sleepMs,
            kills,
            killWorkers: KILL_WORKERS,
            killTrials: KILL_TRIALS,
            processes: processesNeeded(counts, kills, 3),
            dir: join(dir, 'optuna'),
            log,
          })
        : { skipped: `Optuna not importable by ${PYTHON} (apt-get install python3-optuna)` }
    }
    const cairn: WorkersReport['cairn'] = {}
    if (opts.cairn !== false) {
      const side: CairnSideOptions = {
        counts,
        overlapFactors: opts.overlap ?? [],
        separateClaim: opts.separateClaim === true,
        unwatched: opts.unwatched === true,
        trials,
        sleepMs,
        kills,
        killWorkers: KILL_WORKERS,
        killTrials: KILL_TRIALS,
        killLeaseTtlMs: KILL_LEASE_TTL_MS,
        ...(opts.workerPollMs !== undefined ? { workerPollMs: opts.workerPollMs } : {}),
        ...(opts.coordinatorPollMs !== undefined ? { coordinatorPollMs: opts.coordinatorPollMs } : {}),
        log,
      }
      const pool = cairnPool()
      try {
        // Every process the runs will need, started at once (a kill run replaces the workers it kills).
        const stores = opts.dynamodb === false ? 1 : 2
        await pool.grow(processesNeeded(counts, kills, stores))
        const fsDir = join(dir, 'fs')
        const fsStore = createFsStore({ dir: fsDir })
        try {
          cairn.fs = await cairnSide(pool, fsStore, { store: 'fs', dir: fsDir }, 'fs', side)
        } finally {
          await fsStore.close()
        }
        if (opts.dynamodb !== false) cairn.dynamodb = await onDynamoDbLocal(pool, side)
      } finally {
        await pool.close()
      }
    }
    return { trials, sleepMs, counts, loadAverage: { start, end: loadavg().map((l) => round(l, 2)) }, cairn, optuna }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A run's label: `who`, and how its workers claimed when not with their report. */
const whoOf = (who: string, r: RunFigures): string =>
  `${who}${r.separateClaim ? ' (claim after commit)' : ''}${r.unwatched ? ' (polls alone)' : ''}`

/** The columns naming a run: who, how many workers, the parallelism. */
const runColumns = (who: string, r: RunFigures): Row => ({ who: whoOf(who, r), workers: r.workers, parallelism: r.parallelism ?? '' })

const runRows = (who: string, runs: readonly RunFigures[]): Row[] =>
  runs.map((r) => ({
    ...runColumns(who, r),
    seconds: r.seconds,
    'trials/s': r.trialsPerSecond,
    'speed-up': r.speedUp ?? '',
    efficiency: r.efficiency ?? '',
    'idle gap ms (median / p90)': r.medianGapMs === null ? '' : `${r.medianGapMs} / ${r.p90GapMs}`,
    'first start / tail ms': `${r.firstStartMs ?? ''} / ${r.tailMs ?? ''}`,
    'of ideal': r.ofIdeal,
  }))

const spread = (x: Spread | null): string => (x ? `${x.median} / ${x.p90}` : '')

const call = (c: CallSummary[string] | undefined): string => (c ? `${c.medianMs} / ${c.p90Ms}` : '')

/**
 * The store calls behind the breakdown: the coordinator's commit, the workers' reads, claims
 * (and races lost) and reports (marked `(+)` when they claimed the next trial too).
 */
const callColumns = (calls: RunFigures['calls']): Row => {
  if (!calls) return {}
  const claims = calls.workers.claimTrial
  return {
    commit: call(calls.coordinator.commit),
    'worker load + slots': `${call(calls.workers.load)}, ${call(calls.workers.readTrialSlots)}`,
    'claim (races lost)': claims ? `${call(claims)} (${claims.errors.TRIAL_CLAIMED ?? 0}/${claims.calls})` : '',
    'report (+ next claim)': calls.workers.reportAndClaimTrial
      ? `${call(calls.workers.reportAndClaimTrial)} (+)`
      : call(calls.workers.reportTrialResult),
  }
}

const cpuColumn = (cpu: RunFigures['cpuMsPerTrial']): Row =>
  cpu ? { 'CPU ms / trial (coord. + workers)': `${cpu.coordinator} + ${cpu.workers}` } : {}

const breakdownRows = (who: string, runs: readonly RunFigures[]): Row[] =>
  runs.flatMap((r) =>
    r.breakdown
      ? [
          {
            ...runColumns(who, r),
            'in-order wait': spread(r.breakdown.inOrderWaitMs),
            'commit latency (report, coordinator poll, commits)': spread(r.breakdown.commitLatencyMs),
            'queued commit': spread(r.breakdown.queuedCommitMs),
            'pickup (worker poll, reads, claim)': spread(r.breakdown.pickupMs),
            ...callColumns(r.calls),
            ...cpuColumn(r.cpuMsPerTrial),
          },
        ]
      : [],
  )

const part = (x: PartSpread): string => `${x.median} / ${x.p90} (${x.mean})`

/** Each idle gap cut into consecutive parts that add up to it (bench/lib/gap-partition.ts). */
const partitionRows = (who: string, runs: readonly RunFigures[]): Row[] =>
  runs.flatMap((r) =>
    r.partition
      ? [
          {
            ...runColumns(who, r),
            gaps: r.partition.gaps,
            report: part(r.partition.report),
            'in-order wait': part(r.partition.inOrderWait),
            'coordinator notice': part(r.partition.coordinatorNotice),
            'tell + ask': part(r.partition.tellAsk),
            commit: part(r.partition.commit),
            'pickup after commit': part(r.partition.pickup),
          },
        ]
      : [],
  )

const cairnKillRow = (store: string, k: CairnKillFigures): Row => ({
  who: `Cairn ${store}, trial lease ttl ${k.trialLeaseTtlMs} ms, poll ${k.workerPollIntervalMs} ms (bound ${k.boundMs} ms)`,
  'workers / trials': `${k.workers} / ${k.trials}`,
  kills: k.kills,
  'kill → re-run ms (median / max)':
    k.medianRerunMs === null ? 'never' : `${k.medianRerunMs} / ${k.maxRerunMs} (${k.withinBound}/${k.kills} within bound)`,
  'left behind': `${k.committedOnce ? 'every trial committed once' : 'TRIALS MISSING OR TWICE'}, ${k.claimsLost} claims lost`,
})

const optunaKillRow = (k: OptunaKillFigures): Row => ({
  who: `Optuna ${k.storage === 'journal' ? 'JournalFileStorage' : 'SQLite'}${k.heartbeat ? ' + heartbeat 1 s, grace 2 s, retry' : ''}`,
  'workers / trials': `${k.workers} / ${k.trials}`,
  kills: k.kills,
  'kill → re-run ms (median / max)': k.medianRerunMs === null ? 'never' : `${k.medianRerunMs} / ${k.maxRerunMs}`,
  'left behind': `${k.stuckRunning} stuck RUNNING, ${k.failed} FAIL, ${k.completedTwice} completed twice${k.workerErrors.length ? `, ${k.workerErrors.length} worker errors` : ''}`,
})

/** The report as tables (for bench/run.ts and the standalone run): throughput, then kills. */
export function tables(r: WorkersReport): { title: string; rows: Row[] }[] {
  const runs: Row[] = []
  const kills: Row[] = []
  const parts: Row[] = []
  const partitions: Row[] = []
  for (const [store, f] of Object.entries(r.cairn)) {
    if (!f || !('runs' in f)) continue
    runs.push(...runRows(`Cairn ${store}`, f.runs))
    parts.push(...breakdownRows(`Cairn ${store}`, f.runs))
    partitions.push(...partitionRows(`Cairn ${store}`, f.runs))
    if (f.kill) kills.push(cairnKillRow(store, f.kill))
  }
  if ('runs' in r.optuna) {
    runs.push(...runRows('Optuna JournalFileStorage', r.optuna.runs.journal))
    runs.push(...runRows('Optuna SQLite', r.optuna.runs.sqlite))
    kills.push(...r.optuna.kills.map(optunaKillRow))
  }
  const load = `load average ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')}`
  return [
    {
      title: `Many workers, one session: ${r.trials} trials of ${r.sleepMs} ms; efficiency = speed-up / workers (target ≥ 0.9 at 8); ${load}`,
      rows: runs,
    },
    { title: 'Cairn: where the time between trials goes, ms (median / p90)', rows: parts },
    {
      title: "Cairn: a worker's idle gap cut into consecutive parts, ms (median / p90 (mean); the means add up to the mean gap)",
      rows: partitions,
    },
    { title: `A worker SIGKILLed ${killAtMs(r.sleepMs)} ms into a trial, a ready spare taking its place`, rows: kills },
  ]
}

export const cli: Cli<WorkersBenchOptions & { json: boolean }> = {
  command: 'bench/workers.ts',
  defaults: () => ({ json: false }),
  flags: {
    counts: { value: 'a,b', help: 'worker counts (default 1,2,4,8)', apply: (o, v) => (o.counts = integerListFlag('counts', v)) },
    trials: { value: 'n', help: 'trials per throughput run (default 64)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    sleep: { value: 'ms', help: "the objective's sleep (default 500)", apply: (o, v) => (o.sleepMs = integerFlag('sleep', v, 1)) },
    kills: { value: 'n', help: 'SIGKILLs per kill run, 0 skips them (default 3)', apply: (o, v) => (o.kills = integerFlag('kills', v)) },
    'worker-poll': {
      value: 'ms',
      help: "Cairn workers' poll interval (default: the library's, 100)",
      apply: (o, v) => (o.workerPollMs = integerFlag('worker-poll', v, 1)),
    },
    'coordinator-poll': {
      value: 'ms',
      help: "Cairn coordinator's poll interval (default: the library's, 50)",
      apply: (o, v) => (o.coordinatorPollMs = integerFlag('coordinator-poll', v, 1)),
    },
    'no-dynamodb': { help: 'skip DynamoDB Local', apply: (o) => (o.dynamodb = false) },
    'no-optuna': { help: 'skip the Optuna side', apply: (o) => (o.optuna = false) },
    'no-cairn': { help: 'skip the Cairn side', apply: (o) => (o.cairn = false) },
    overlap: {
      value: 'a,b',
      help: 'also run Cairn with parallelism = factor × workers, e.g. 2 (default none)',
      apply: (o, v) => (o.overlap = integerListFlag('overlap', v)),
    },
    'separate-claim': {
      help: 'also run each Cairn count with workers that report, then claim after the commit (two calls)',
      apply: (o) => (o.separateClaim = true),
    },
    unwatched: {
      help: 'also run each Cairn count with stores that tell no changes (coordinator and workers poll alone)',
      apply: (o) => (o.unwatched = true),
    },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
    quiet: { help: 'no progress lines on stderr', apply: (o) => (o.verbose = false) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { json, ...opts } = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report, null, 2))
  if (!json) for (const t of tables(report)) printTable(t.title, t.rows)
}
