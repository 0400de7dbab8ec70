import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { listSessions, type CheckpointStore } from '@cairn/core'
import { SEED } from '../fixtures/job.js'
import { until } from './manual-time.js'
import { fixture, spawnChild, type Child } from './processes.js'

/** Options of `orphanSwarm`. */
export interface SwarmOptions {
  /** Store spec for the child processes (see fixtures/open-store.ts). */
  spec: string
  /** The same store, opened in this process (to watch and check). */
  store: CheckpointStore
  /** Where the monitors write their evaluation logs. */
  scratchDir: string
  sessions: number
  monitors: number
  maxTrials: number
  /** Objective delay in the monitors. */
  delayMs: number
  /** Objective delay in the worker. */
  workerDelayMs: number
  /** Session i is killed in flight of trial `1 + i % hangFrom` (so none finishes before the kill). */
  hangFrom: number
  /** Lease ttl of the monitors' drivers. */
  leaseTtlMs: number
  /** Lease ttl of the worker's drivers (default `leaseTtlMs`): how long after the kill the orphans' leases lapse. */
  workerLeaseTtlMs?: number
  pollIntervalMs: number
  maxConcurrent: number
  timeoutMs: number
}

/** What `orphanSwarm` measured. */
export interface SwarmReport {
  ids: string[]
  /** Sessions still `running` when the worker was killed. */
  orphaned: string[]
  /** From the worker's start until every session was stuck in flight, in ms. */
  orphaningMs: number
  /** Sessions whose driver in the worker stopped on an error before the kill, with its code. */
  stoppedBeforeKill: string[]
  /** From the worker's SIGKILL until every session was terminal, in ms. */
  recoveryMs: number
  /** Per session: the trial indices in its log, its attempts counter and status. */
  logs: Map<string, { indices: number[]; attempts: number; status: string }>
  /** Completed events per session, over all monitors. */
  completions: Map<string, number>
  /** (session, trial) pairs evaluated by more than one monitor process. */
  doubleDriven: number
  /** `session#trial` of those. */
  doubleDrivenKeys: string[]
  /**
   * Double-driven trials of sessions where no monitor reported losing its lease (`skipped`,
   * reason `lease-lost`). Must be 0: a second driver only ever starts once the first one's
   * lease lapsed, and that driver then learns it lost the lease.
   */
  unexplainedDoubleDriven: number
  /** Trials missing from, or duplicated in, the logs; and sessions not completed. */
  lostTrials: number
  duplicateTrials: number
  unfinished: number
  failedEvents: Array<Record<string, unknown>>
  skippedEvents: number
  /**
   * Attempts that ended because another monitor took the session over (`skipped`, reason
   * `lease-lost`): the driver was alive but could not renew within the ttl (an overloaded
   * machine). Each may cost the one trial in flight a second evaluation.
   */
  leaseLost: number
  monitors: Child[]
}

/**
 * A worker process starts `sessions` sessions and is SIGKILLed once each has committed a
 * trial; then `monitors` monitor processes (started beforehand, polling from the kill on)
 * recover them all. Returns what the checks need: every trial log, completion counts, and
 * evaluations done twice.
 */
export async function orphanSwarm(o: SwarmOptions): Promise<SwarmReport> {
  const ids = Array.from({ length: o.sessions }, (_, i) => `orphan-${String(i).padStart(3, '0')}`)
  const evalLogs = Array.from({ length: o.monitors }, (_, i) => join(o.scratchDir, `evals-${i}.log`))
  const monitors = evalLogs.map((evalLog) =>
    spawnChild(fixture('monitor-process.ts'), [
      o.spec,
      JSON.stringify({
        pollIntervalMs: o.pollIntervalMs,
        leaseTtlMs: o.leaseTtlMs,
        delayMs: o.delayMs,
        maxConcurrent: o.maxConcurrent,
        evalLog,
        waitForGo: true,
      }),
    ]),
  )
  const worker = spawnChild(fixture('worker-process.ts'), [
    o.spec,
    JSON.stringify({
      sessions: ids,
      maxTrials: o.maxTrials,
      delayMs: o.workerDelayMs,
      leaseTtlMs: o.workerLeaseTtlMs ?? o.leaseTtlMs,
      seed: SEED,
      hangFrom: o.hangFrom,
    }),
  ])
  await Promise.all(monitors.map((m) => m.next((msg) => msg.ready === true, 'monitor ready', 60_000)))
  const stuckAt = new Map(ids.map((id, i) => [id, 1 + (i % o.hangFrom)]))
  const reached = new Set<string>()
  const startedAt = Date.now()
  await worker
    .next(
      (m) => {
        if (m.committed && m.committed.attempts >= (stuckAt.get(m.committed.id) as number)) reached.add(m.committed.id as string)
        // A driver that stopped on an error (its lease lapsed on a starved machine, a request
        // failed) left its session running too: an orphan as much as one killed in flight.
        if (m.lost) reached.add(m.lost.id as string)
        return reached.size === ids.length
      },
      'every session in flight of its last trial',
      90_000,
    )
    .catch((err: Error) => {
      throw new Error(`${err.message}\n${notReached(worker.messages, ids, reached)}`)
    })
  const orphaningMs = Date.now() - startedAt
  await worker.kill()
  const killedAt = Date.now()
  const orphaned = (await listSessions(o.store, { status: 'running' })).map((l) => l.sessionId)
  // The monitors start polling only now, so they find orphans, not sessions of a live worker.
  for (const m of monitors) m.send('go')

  await until(async () => (await listSessions(o.store, { status: 'running' })).length === 0, 'every session finished', o.timeoutMs)
  const recoveryMs = Date.now() - killedAt
  // Drain: a driver that committed its session's last trial reports `completed` before exiting.
  await Promise.all(monitors.map((m) => m.stop('drain', 30_000)))

  const logs = new Map<string, { indices: number[]; attempts: number; status: string }>()
  let lostTrials = 0
  let duplicateTrials = 0
  let unfinished = 0
  for (const id of ids) {
    const head = await o.store.load(id)
    const indices = (await o.store.readTrials(id)).map((t) => t.trialIdx)
    logs.set(id, { indices, attempts: head.progress.attempts, status: head.status })
    const distinct = new Set(indices)
    duplicateTrials += indices.length - distinct.size
    for (let i = 0; i < o.maxTrials; i++) if (!distinct.has(i)) lostTrials++
    if (head.status !== 'completed' || head.progress.attempts !== o.maxTrials) unfinished++
  }
  const completions = new Map<string, number>()
  for (const m of monitors)
    for (const e of m.events('completed')) completions.set(e.sessionId as string, (completions.get(e.sessionId as string) ?? 0) + 1)
  const evaluators = new Map<string, Set<string>>()
  for (const file of evalLogs) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      if (!line) continue
      const [id, idx, pid] = line.split(' ') as [string, string, string]
      const key = `${id}#${idx}`
      let set = evaluators.get(key)
      if (!set) evaluators.set(key, (set = new Set()))
      set.add(pid)
    }
  }
  const doubleDrivenKeys = [...evaluators.entries()].filter(([, s]) => s.size > 1).map(([k]) => k)
  const doubleDriven = doubleDrivenKeys.length
  const leaseLost = monitors.flatMap((m) => m.events('skipped').filter((e) => e.reason === 'lease-lost'))
  const lapsed = new Set(leaseLost.map((e) => e.sessionId as string))
  const unexplained = doubleDrivenKeys.filter((k) => !lapsed.has(k.split('#')[0] as string)).length
  return {
    ids,
    orphaned,
    orphaningMs,
    stoppedBeforeKill: worker.messages.flatMap((m) => (m.lost ? [`${m.lost.id} (${m.lost.code})`] : [])),
    recoveryMs,
    logs,
    completions,
    doubleDriven,
    doubleDrivenKeys,
    unexplainedDoubleDriven: unexplained,
    lostTrials,
    duplicateTrials,
    unfinished,
    failedEvents: monitors.flatMap((m) => m.events('failed')),
    skippedEvents: monitors.reduce((n, m) => n + m.events('skipped').length, 0),
    leaseLost: leaseLost.length,
    monitors,
  }
}

/** What the worker said about the sessions that never reached their last trial (for a timeout's message). */
function notReached(messages: ReadonlyArray<Record<string, any>>, ids: readonly string[], reached: ReadonlySet<string>): string {
  const missing = ids.filter((id) => !reached.has(id))
  const said = missing.map((id) => {
    const about = messages.filter((m) => [m.committed?.id, m.lost?.id, m.result?.id].includes(id))
    return `${id}: ${about.length === 0 ? 'nothing' : about.map((m) => JSON.stringify(m)).join(' ')}`
  })
  return `${missing.length} of ${ids.length} sessions not in flight of their last trial:\n${said.slice(0, 20).join('\n')}`
}
