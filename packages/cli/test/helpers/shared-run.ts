import { expect } from 'vitest'
import { isTerminal, Rng, type CheckpointHead, type CheckpointStore, type TrialRecord } from '@cairn/core'
import { createCairn, loadConfig } from '@cairn/cli'
import { FIXTURE_CONFIG, startCli, type CliProcess } from './cli.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The candidates (as JSON) of trials 0, 1, … of a trial log. */
export function candidatesOf(trials: readonly TrialRecord[]): string[] {
  return [...trials].sort((a, b) => a.trialIdx - b.trialIdx).map((t) => JSON.stringify(t.candidate))
}

/**
 * The trials of an uninterrupted in-process run of a fixture job: memory store, evaluated
 * locally, with the job's parallelism and seed.
 */
export async function referenceRun(job: string): Promise<TrialRecord[]> {
  const { config } = await loadConfig({ path: FIXTURE_CONFIG })
  const cairn = createCairn({ ...config, store: 'memory:' })
  try {
    const handle = await cairn.start(job, { evaluation: 'local' })
    await handle.wait()
    return await cairn.trials(handle.id)
  } finally {
    await cairn.close()
  }
}

/** The pid in a default lease or claim owner, `host:pid:random`. */
function pidOf(owner: string): number {
  return Number(owner.split(':').at(-2))
}

/** One CLI process of a crash run. */
interface Member {
  cli: CliProcess
  kind: 'run' | 'worker'
  killed: boolean
}

/** What a crash run did. */
export interface CrashRunResult {
  head: CheckpointHead
  trials: TrialRecord[]
  /** Processes killed while they held the session's lease (coordinators). */
  coordinatorKills: number
  /** Worker processes killed while another held the lease. */
  workerKills: number
  /** The exit codes of the processes that were not killed, and what they printed. */
  survivors: Array<{ code: number; output: string }>
  /** Workers started as the session ended, that found it finished (exit 2, `cannot join session …: it is completed`); not among `survivors`. */
  lateJoiners: Array<{ code: number; output: string }>
  /** Wall-clock milliseconds from the first start to the last exit (reported, never asserted). */
  tookMs: number
}

/** Options of `crashRun`. */
export interface CrashRunOptions {
  cwd: string
  /** The store URI every process gets. */
  storeUri: string
  env: Record<string, string>
  /** A handle on the same store for this process (reads only). */
  store: CheckpointStore
  sessionId: string
  workers: number
  /** `head.progress.attempts` at which the process holding the lease is SIGKILLed. */
  coordinatorKillsAt: number[]
  /** A worker is SIGKILLed every this many ms, ± half (seeded). */
  workerKillEveryMs: number
  seed: number
  /** Safety net: give up (and kill everything) after this long. */
  timeoutMs: number
}

/**
 * `cairn run shared` and `workers` × `cairn worker`, with real SIGKILLs: every
 * ~`workerKillEveryMs` a random worker that joined and does not hold the session's lease
 * (preferring one running a trial) is killed and a new worker started; when the session's progress reaches each
 * of `coordinatorKillsAt`, the process holding the lease (the `cairn run`, or a worker that took
 * the session over) is killed, and a new worker started when it was one. Returns once the
 * session is terminal and every process has exited.
 */
export async function crashRun(o: CrashRunOptions): Promise<CrashRunResult> {
  const startedAt = Date.now()
  const rng = Rng.fromSeed(o.seed)
  const members: Member[] = []
  const cfg = ['--config', FIXTURE_CONFIG, '--store', o.storeUri]
  const spawnMember = (kind: Member['kind']): Member => {
    const args = kind === 'run' ? ['run', 'shared', '--session-id', o.sessionId] : ['worker', o.sessionId]
    const m: Member = { cli: startCli([...cfg, ...args], { cwd: o.cwd, env: o.env }), kind, killed: false }
    members.push(m)
    return m
  }
  const kill = (m: Member): void => {
    m.killed = true
    m.cli.child.kill('SIGKILL')
  }
  const live = (): Member[] => members.filter((m) => !m.killed && m.cli.child.exitCode === null && m.cli.child.signalCode === null)
  const deadline = startedAt + o.timeoutMs
  try {
    const run = spawnMember('run')
    await run.cli.waitFor(/^started session/, o.timeoutMs)
    for (let i = 0; i < o.workers; i++) spawnMember('worker')

    let coordinatorKills = 0
    let workerKills = 0
    const nextKillIn = (): number => o.workerKillEveryMs * (0.5 + rng.next())
    let nextWorkerKill = Date.now() + nextKillIn()
    let head = await o.store.load(o.sessionId)
    while (!isTerminal(head.status)) {
      if (Date.now() > deadline) throw new Error(`the session did not end in ${o.timeoutMs} ms; head: ${JSON.stringify(head.progress)}`)
      const leaseHolder = head.lease && head.lease.expiresAt > Date.now() ? pidOf(head.lease.owner) : null
      const killAt = o.coordinatorKillsAt[coordinatorKills]
      if (killAt !== undefined && head.progress.attempts >= killAt && leaseHolder !== null) {
        const holder = live().find((m) => m.cli.child.pid === leaseHolder)
        if (holder) {
          kill(holder)
          coordinatorKills++
          if (holder.kind === 'worker') spawnMember('worker')
        }
      }
      if (Date.now() >= nextWorkerKill) {
        const candidates = live().filter((m) => m.kind === 'worker' && m.cli.child.pid !== leaseHolder)
        const busy = candidates.filter((m) => /trial \d+: running [^\n]*\n?$/.test(m.cli.stdout()))
        // Never one still starting: it has no trial to lose yet.
        const pool = busy.length > 0 ? busy : candidates.filter((m) => /^worker .* joined session/m.test(m.cli.stdout()))
        const victim = pool[Math.floor(rng.next() * pool.length)]
        if (victim) {
          kill(victim)
          workerKills++
          spawnMember('worker')
        }
        nextWorkerKill = Date.now() + nextKillIn()
      }
      await sleep(50)
      head = await o.store.load(o.sessionId)
    }
    const exits = await Promise.all(
      members.map((m) =>
        Promise.race([m.cli.exited, sleep(Math.max(0, deadline - Date.now())).then(() => Number.NaN)]).then((code) => ({ m, code })),
      ),
    )
    const all = exits.filter(({ m }) => !m.killed).map(({ m, code }) => ({ code, output: m.cli.output() }))
    const late = (s: { code: number; output: string }): boolean => {
      const errors = s.output.split('\n').filter((l) => l.startsWith('error: '))
      return s.code === 2 && errors.length === 1 && /^error: cannot join session .*: it is completed$/.test(errors[0] as string)
    }
    return {
      head,
      trials: await o.store.readTrials(o.sessionId),
      coordinatorKills,
      workerKills,
      survivors: all.filter((s) => !late(s)),
      lateJoiners: all.filter(late),
      tookMs: Date.now() - startedAt,
    }
  } finally {
    await Promise.all(
      live().map((m) => {
        m.cli.child.kill('SIGKILL')
        return m.cli.exited
      }),
    )
  }
}

/**
 * The crash run of the issue — 1 coordinator + 4 workers, 60 trials of ~150 ms, a worker
 * SIGKILLed every ~1.5 s and the coordinator at trials 15 and 35 — on the store `storeUri`
 * (`store`: a handle on it for this process), and what it must yield: a completed session,
 * every trial index committed exactly once, the candidates of an uninterrupted in-process run
 * with the same parallelism and seed, and every process not killed exiting with 0.
 */
export async function expectCrashRunCorrect(
  cwd: string,
  storeUri: string,
  store: CheckpointStore,
  env: Record<string, string> = {},
): Promise<void> {
  const options: CrashRunOptions = {
    cwd,
    storeUri,
    store,
    env: { CAIRN_TEST_SHARED_MS: '150', ...env },
    sessionId: 'crash',
    workers: 4,
    coordinatorKillsAt: [15, 35],
    workerKillEveryMs: 1_500,
    seed: Date.now() % 1_000_000,
    timeoutMs: 150_000,
  }
  const [r, reference] = await Promise.all([crashRun(options), referenceRun('shared')])
  console.info(
    `crash run on ${storeUri.split(':')[0]}: ${r.tookMs} ms, ${r.coordinatorKills} coordinators and ${r.workerKills} workers killed (seed ${options.seed})`,
  )
  expect(r.head.status).toBe('completed')
  expect(r.coordinatorKills).toBe(2)
  // Each coordinator kill leaves a lease ttl (2 s) before a worker takes over: kills happen meanwhile on any machine.
  expect(r.workerKills).toBeGreaterThanOrEqual(2)
  for (const s of r.survivors) expect({ code: s.code, output: s.output }).toMatchObject({ code: 0 })
  // Every trial index committed exactly once, each with a result.
  expect(r.trials.map((t) => t.trialIdx).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i))
  expect(r.trials.filter((t) => t.status !== 'ok')).toEqual([])
  expect(candidatesOf(r.trials)).toEqual(candidatesOf(reference))
}
