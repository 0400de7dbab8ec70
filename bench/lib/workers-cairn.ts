/**
 * Cairn side of bench/workers.ts: this process coordinates (`startSession({ evaluation:
 * 'shared', evaluateLocally: false, parallelism })`), node worker processes
 * (workers-child.ts) call `joinSession`; on the fs store and on DynamoDB Local. Then kills.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { float, space, startSession, type CheckpointStore, type WorkerResult } from '@cairn/core'
import { randomSearch } from '@cairn/optimizers'
import { breakdown, recordCommits } from './cairn-breakdown.js'
import { gapPartition, watchCoordinator } from './gap-partition.js'
import { killSeries } from './kill-series.js'
import { round } from './stats.js'
import { mergeLogs, summarize, timeCalls, type CallLog } from './store-timing.js'
import { edges, gapFigures, idleGaps } from './timeline.js'
import { withoutWatch, type ChildStore, type GoCommand } from './workers-child.js'
import { WorkerPool, type PooledWorker } from './worker-pool.js'
import { killAtMs, pace, rerunFigures, withEfficiency, type RunFigures } from './workers-figures.js'

export interface CairnSideOptions {
  counts: readonly number[]
  /** Extra runs with parallelism = factor × workers, beside parallelism = workers. */
  overlapFactors: readonly number[]
  /** Also run each count with workers that report, then claim their next trial after its commit (two calls). */
  separateClaim: boolean
  /** Also run each count with stores shown without `watchSession` (coordinator and workers poll alone). */
  unwatched: boolean
  trials: number
  sleepMs: number
  kills: number
  killWorkers: number
  killTrials: number
  /** Trial lease ttl of the kill runs' workers. */
  killLeaseTtlMs: number
  /** JoinOptions.pollIntervalMs of the workers (default: the library's, 100 ms). */
  workerPollMs?: number
  /** DriveOptions.pollIntervalMs of the coordinator (default: the library's, 50 ms). */
  coordinatorPollMs?: number
  log(line: string): void
}

/** A kill run of one store. */
export interface CairnKillFigures {
  workers: number
  trials: number
  kills: number
  trialLeaseTtlMs: number
  workerPollIntervalMs: number
  /** ttl + one worker poll. */
  boundMs: number
  rerunMs: (number | null)[]
  medianRerunMs: number | null
  maxRerunMs: number | null
  /** Kills whose trial started again within the bound. */
  withinBound: number
  /** Every trial index 0..trials-1 committed exactly once. */
  committedOnce: boolean
  /** Results refused to surviving workers because their claim was lost (a lapse under load). */
  claimsLost: number
  /** Trials evaluated by the workers that were not killed (the killed ones cannot tell). */
  survivorsEvaluated: number
}

export interface CairnStoreFigures {
  runs: RunFigures[]
  kill?: CairnKillFigures
}

/** The coordinator's store, its calls timed, and where the workers find it. */
type TimedStore = CheckpointStore & {
  timing: ReturnType<typeof timeCalls>
  moments: ReturnType<typeof watchCoordinator>
  where: ChildStore
}

/** Trials of the unmeasured warm-up run (20 ms each). */
const WARM_UP_TRIALS = 128

/** The library's default poll interval of a worker (JoinOptions.pollIntervalMs). */
const DEFAULT_WORKER_POLL_MS = 100

const root = fileURLToPath(new URL('../../', import.meta.url))
const child = fileURLToPath(new URL('./workers-child.ts', import.meta.url))
const benchSpace = space({ x: float(-5, 10) })

/** A pool of Cairn worker processes (each `go` says which store). */
export function cairnPool(): WorkerPool {
  const tsx = createRequire(`${root}package.json`).resolve('tsx/esm')
  return new WorkerPool(process.execPath, ['--conditions=@cairn/source', '--import', tsx, child], root)
}

/** Starts shared session `sessionId`, coordinated by this process, which evaluates nothing itself. */
function startShared(store: CheckpointStore, o: CairnSideOptions, sessionId: string, maxTrials: number, parallelism: number) {
  return startSession({
    store,
    sessionId,
    optimizer: randomSearch(),
    space: benchSpace,
    seed: 1,
    maxTrials,
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism,
    ...(o.coordinatorPollMs !== undefined ? { pollIntervalMs: o.coordinatorPollMs } : {}),
  })
}

/** A worker's answer to `go`: its result and its store calls, or why it failed; null: it was killed. */
type Answer = (WorkerResult & { calls: CallLog; cpuMs: number }) | { error: string } | null

const parseAnswer = (line: string | null): Answer => (line === null ? null : (JSON.parse(line) as Answer))

/** Tells `workers` to join `go.sessionId`; resolves with their answers. */
function go(workers: readonly PooledWorker[], cmd: GoCommand): Promise<Answer[]> {
  return Promise.all(
    workers.map((w) => {
      const done = w.next('done', 600_000).then(parseAnswer, () => null)
      w.send(`go ${JSON.stringify(cmd)}`)
      return done
    }),
  )
}

function errorsOf(answers: readonly Answer[]): string[] {
  return answers.flatMap((a) => (a && 'error' in a ? [a.error] : []))
}

/** The store calls of the coordinator, timed. */
const COORDINATOR_CALLS = ['commit', 'readTrialSlots', 'load'] as const

async function throughput(
  store: TimedStore,
  pool: WorkerPool,
  o: CairnSideOptions,
  label: string,
  n: number,
  parallelism: number,
  separateClaim = false,
  unwatched = false,
  sessionId = `throughput-${n}-${parallelism}${separateClaim ? '-separate' : ''}${unwatched ? '-unwatched' : ''}`,
): Promise<RunFigures> {
  const workers = pool.alive().slice(0, n)
  const recorder = recordCommits(sessionId)
  store.timing.reset()
  store.moments.reset()
  const cpu = process.cpuUsage()
  const t0 = Date.now()
  const session = await startShared(unwatched ? withoutWatch(store) : store, o, sessionId, o.trials, parallelism)
  const answers = go(workers, {
    where: store.where,
    sessionId,
    sleepMs: o.sleepMs,
    ...(o.workerPollMs !== undefined ? { pollIntervalMs: o.workerPollMs } : {}),
    ...(separateClaim ? { reportAndClaim: false as const } : {}),
    ...(unwatched ? { watch: false as const } : {}),
  })
  const result = await session.wait()
  const endAt = Date.now()
  recorder.stop()
  const used = process.cpuUsage(cpu)
  const seconds = (endAt - t0) / 1000
  const done = await answers
  const errors = errorsOf(done)
  if (result.progress.attempts !== o.trials || errors.length > 0)
    throw new Error(
      `Cairn ${label}, ${n} workers: ${result.status} after ${result.progress.attempts} of ${o.trials} trials; ${errors.join('; ')}`,
    )
  o.log(
    `cairn ${label} ${n} workers, parallelism ${parallelism}${separateClaim ? ', separate claim' : ''}${unwatched ? ', unwatched' : ''}: ${seconds.toFixed(2)} s`,
  )
  return {
    workers: n,
    parallelism,
    ...(separateClaim ? { separateClaim: true as const } : {}),
    ...(unwatched ? { unwatched: true as const } : {}),
    ...pace(o.trials, o.sleepMs, n, seconds),
    ...gapFigures(idleGaps(workers, t0, o.sleepMs)),
    ...edges(workers, t0, endAt, o.sleepMs),
    breakdown: breakdown(workers, t0, recorder.commits, o.trials, parallelism, o.sleepMs),
    partition: gapPartition(workers, t0, store.moments, o.trials, parallelism),
    cpuMsPerTrial: {
      coordinator: round((used.user + used.system) / 1000 / o.trials, 2),
      workers: round(done.reduce((ms, a) => ms + (a && 'cpuMs' in a ? a.cpuMs : 0), 0) / o.trials, 2),
    },
    calls: {
      coordinator: summarize(store.timing.log),
      workers: summarize(mergeLogs(done.flatMap((a) => (a && 'calls' in a ? [a.calls] : [])))),
    },
  }
}

async function killRun(store: TimedStore, pool: WorkerPool, o: CairnSideOptions, label: string): Promise<CairnKillFigures> {
  const need = o.killWorkers + o.kills
  if (pool.alive().length < need) await pool.grow(need - pool.alive().length)
  o.log(`cairn ${label} kill run: ${need} workers ready`)
  const sessionId = 'kill'
  const [active, spares] = [pool.alive().slice(0, o.killWorkers), pool.alive().slice(o.killWorkers, need)]
  const session = await startShared(store, o, sessionId, o.killTrials, o.killWorkers)
  const pollMs = o.workerPollMs ?? DEFAULT_WORKER_POLL_MS
  const cmd: GoCommand = { where: store.where, sessionId, sleepMs: o.sleepMs, trialLeaseTtlMs: o.killLeaseTtlMs, pollIntervalMs: pollMs }
  const answers = go(active, cmd)
  let over = false
  const ended = session.wait().finally(() => (over = true))
  const { kills, spareDones } = await killSeries({
    pool,
    active,
    spares,
    goLine: `go ${JSON.stringify(cmd)}`,
    kills: o.kills,
    fromTrial: o.killWorkers,
    midTrialMs: killAtMs(o.sleepMs),
    rerun: (s, trial) => s.trial === trial,
    over: () => over,
  })
  const result = await ended
  const all = [...(await answers), ...(await Promise.all(spareDones)).map(parseAnswer)]
  const errors = errorsOf(all)
  if (errors.length > 0) throw new Error(`Cairn ${label} kill run: ${errors.join('; ')}`)
  const results = all.filter((a): a is WorkerResult & { calls: CallLog; cpuMs: number } => a !== null && !('error' in a))
  const trials = await store.readTrials(sessionId)
  const indices = trials.map((t) => t.trialIdx)
  const committedOnce = result.progress.attempts === o.killTrials && indices.length === o.killTrials && indices.every((idx, i) => idx === i)
  const boundMs = o.killLeaseTtlMs + pollMs
  const reruns = rerunFigures(kills)
  o.log(`cairn ${label} kill: ${kills.length} kills, re-run after ${reruns.rerunMs.join(', ')} ms`)
  return {
    workers: o.killWorkers,
    trials: o.killTrials,
    kills: kills.length,
    trialLeaseTtlMs: o.killLeaseTtlMs,
    workerPollIntervalMs: pollMs,
    boundMs,
    ...reruns,
    withinBound: kills.filter((k) => k.rerunMs !== null && k.rerunMs <= boundMs).length,
    committedOnce,
    claimsLost: results.reduce((n, r) => n + r.claimsLost, 0),
    survivorsEvaluated: results.reduce((n, r) => n + r.trialsEvaluated, 0),
  }
}

/**
 * Runs the Cairn side on one store (`where` says how the workers of `pool` open it): throughput
 * per worker count (and overlap), then the kill run.
 */
export async function cairnSide(
  pool: WorkerPool,
  store: CheckpointStore,
  where: ChildStore,
  label: string,
  o: CairnSideOptions,
): Promise<CairnStoreFigures> {
  const timed: TimedStore = Object.assign(store, { timing: timeCalls(store, COORDINATOR_CALLS), moments: watchCoordinator(store), where })
  const most = Math.max(...o.counts)
  if (pool.alive().length < most) await pool.grow(most - pool.alive().length)
  o.log(`cairn ${label}: ${pool.alive().length} workers ready`)
  // Not measured: the coordinator's code here, the workers' and the store (DynamoDB Local's JVM)
  // are warm before the first run. Even so, on DynamoDB Local the first measured run (1 worker)
  // came out 9–22% slower than the next 1-worker run, whichever way its workers claimed.
  await throughput(timed, pool, { ...o, trials: WARM_UP_TRIALS, sleepMs: 20, log: () => {} }, label, most, most, false, false, 'warm-up')
  const runs: RunFigures[] = []
  for (const n of o.counts) {
    runs.push(await throughput(timed, pool, o, label, n, n))
    if (o.separateClaim) runs.push(await throughput(timed, pool, o, label, n, n, true))
    if (o.unwatched) runs.push(await throughput(timed, pool, o, label, n, n, false, true))
    for (const f of o.overlapFactors) runs.push(await throughput(timed, pool, o, label, n, f * n))
  }
  const kill = o.kills > 0 ? await killRun(timed, pool, o, label) : undefined
  return { runs: withEfficiency(runs), ...(kill ? { kill } : {}) }
}
