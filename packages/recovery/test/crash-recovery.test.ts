// Real processes, really killed (SIGKILL). One file, so these tests run one after another and
// do not compete for the CPU (a starved driver cannot renew its lease in time).
//
// 1. A worker is killed mid-trial; monitors in other processes detect it once its lease
//    expired and resume it; the monitor driving it is killed too, and the other finishes it,
//    with exactly the candidates of an uninterrupted run. (How soon after the expiry a monitor
//    detects it is tested on manual time in monitor.test.ts and measured in bench/recovery.ts;
//    nothing here is timed.)
// 2. 100 sessions orphaned by one killed worker; 3 monitor processes share the store (fs, then
//    one DynamoDB Local table) and recover them all: each finishes once, no trial is committed
//    twice or lost, and no trial is evaluated by two monitors unless a lease lapsed under a
//    live driver (which that driver then reports).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CheckpointStore } from '@cairn/core'
import { createDynamoDbStore } from '@cairn/store-dynamodb'
import { createFsStore } from '@cairn/store-fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SEED, referenceCandidates } from './fixtures/job.js'
import { until } from './helpers/manual-time.js'
import { orphanSwarm, type SwarmReport } from './helpers/orphan-swarm.js'
import { fixture, killAll, spawnChild, type Child } from './helpers/processes.js'
import { newDynamoTable } from './helpers/real-stores.js'
import { range, trialLog } from './helpers/stores.js'

/** Lease ttl of the workers and the monitors' drivers: renewed every 750 ms, so a process starved of CPU for 2 s keeps it. */
const TTL = 3_000
const POLL = 200
const DELAY = 40
const MAX = 30

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-recovery-crash-'))
})
afterEach(killAll)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 })
})

function monitorProcess(spec: string): Child {
  return spawnChild(fixture('monitor-process.ts'), [
    spec,
    JSON.stringify({ pollIntervalMs: POLL, leaseTtlMs: TTL, delayMs: DELAY, maxConcurrent: 4 }),
  ])
}

describe('recovery across processes (fs store)', () => {
  it('resumes a SIGKILLed worker’s session once its lease expired, and survives losing the recovering monitor too', async () => {
    const spec = `fs:${dir}`
    const store = createFsStore({ dir })
    const monitors = [monitorProcess(spec), monitorProcess(spec)]
    await Promise.all(monitors.map((m) => m.next((msg) => msg.ready === true, 'monitor ready')))

    const worker = spawnChild(fixture('worker-process.ts'), [
      spec,
      JSON.stringify({ sessions: ['s1'], maxTrials: MAX, delayMs: DELAY, leaseTtlMs: TTL, seed: SEED }),
    ])
    await worker.next((m) => m.committed?.attempts === 8, 'eight trials committed')
    // Freeze it (likely mid-trial), read the lease it holds, then kill it: the lease it died with.
    worker.proc.kill('SIGSTOP')
    const head = await store.load('s1')
    await worker.kill()
    const atKill = head.progress.attempts
    expect(head.lease?.owner).toBe(`worker-${worker.pid}`)

    // Detected once that lease lapsed, not before; one monitor takes it over with the next
    // fencing token. Once it has committed a few trials, kill that monitor as well.
    const first = await Promise.race(
      monitors.map((m) => m.next((msg) => msg.event?.type === 'started' && msg.event.sessionId === 's1', 'started').then(() => m)),
    )
    const detected = first.events('detected').filter((e) => e.sessionId === 's1')
    expect(detected.length).toBeGreaterThan(0)
    for (const e of detected) expect(e.leaseExpiresAt).toBeLessThanOrEqual(e.at)
    expect(detected.at(-1)?.leaseExpiresAt).toBeGreaterThanOrEqual(head.lease!.expiresAt) // the lease the worker died holding
    const takeover = await store.load('s1')
    expect(takeover.lease?.fencingToken).toBeGreaterThan(head.lease!.fencingToken)
    const other = monitors.find((m) => m !== first) as Child
    await until(async () => (await store.load('s1')).progress.attempts >= atKill + 3, 'progress under the first monitor', 20_000)
    await first.kill()
    expect(first.events('completed')).toEqual([])

    // The other monitor detects it again and finishes it.
    await other.next((msg) => msg.event?.type === 'completed' && msg.event.sessionId === 's1', 'completed by the other monitor', 30_000)
    const log = await trialLog(store, 's1')
    expect(log.status).toBe('completed')
    expect(log.indices).toEqual(range(MAX))
    expect(log.attempts).toBe(MAX)
    expect(log.candidates).toEqual(await referenceCandidates(SEED, MAX))
    const startedBy = (m: Child): number[] =>
      m
        .events('started')
        .filter((e) => e.sessionId === 's1')
        .map((e) => e.attempt)
    expect(startedBy(first)).toEqual([1])
    expect(startedBy(other)).toEqual([1])
    expect([...first.events('failed'), ...other.events('failed')]).toEqual([])
    await other.stop()
    await store.close()
  }, 60_000)
})

const SESSIONS = 100

interface SwarmSettings {
  trials: number
  /** Lease ttl of the monitors' drivers, and of the worker's. */
  leaseTtlMs: number
  workerLeaseTtlMs: number
  pollIntervalMs: number
}

function checkSwarm(r: SwarmReport, trials: number): void {
  if (r.unexplainedDoubleDriven > 0 || r.failedEvents.length > 0) {
    const ids = new Set(r.doubleDrivenKeys.map((k) => k.split('#')[0]))
    console.log(
      'double-driven',
      r.doubleDrivenKeys,
      JSON.stringify(r.failedEvents),
      JSON.stringify(
        r.monitors.map((m) =>
          m
            .events()
            .filter((e) => ids.has(e.sessionId))
            .map((e) => [e.type, e.sessionId, e.attempt, e.reason, e.at, e.error?.message]),
        ),
      ),
    )
  }
  expect(r.orphaned).toHaveLength(SESSIONS)
  for (const id of r.ids) expect(r.logs.get(id), id).toEqual({ indices: range(trials), attempts: trials, status: 'completed' })
  for (const id of r.orphaned) expect(r.completions.get(id), id).toBe(1)
  expect(r.duplicateTrials).toBe(0)
  expect(r.lostTrials).toBe(0)
  expect(r.unexplainedDoubleDriven).toBe(0)
  expect(r.doubleDriven).toBeLessThanOrEqual(r.leaseLost)
  expect(r.failedEvents).toEqual([])
  for (const m of r.monitors) expect(m.events('completed').length).toBeGreaterThan(0)
}

describe('3 monitors, 100 orphans: each finishes once, zero trials committed twice, zero lost', () => {
  async function swarm(spec: string, store: CheckpointStore, scratchDir: string, settings: SwarmSettings): Promise<void> {
    const r = await orphanSwarm({
      spec,
      store,
      scratchDir,
      sessions: SESSIONS,
      monitors: 3,
      maxTrials: settings.trials,
      delayMs: 20,
      workerDelayMs: 10,
      hangFrom: 3,
      leaseTtlMs: settings.leaseTtlMs,
      workerLeaseTtlMs: settings.workerLeaseTtlMs,
      pollIntervalMs: settings.pollIntervalMs,
      maxConcurrent: 8,
      timeoutMs: 120_000,
    })
    console.log(
      `${spec.split(':')[0]}: orphaned ${r.orphaned.length} in ${r.orphaningMs} ms (${r.stoppedBeforeKill.length} by their own driver's error: ${r.stoppedBeforeKill.join(', ') || 'none'}); ` +
        `all finished ${r.recoveryMs} ms after the kill; ` +
        `skips ${r.skippedEvents}, lease lapses ${r.leaseLost}, double-driven ${r.doubleDriven}`,
    )
    checkSwarm(r, settings.trials)
  }

  it('fs store', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'cairn-recovery-swarm-'))
    const store = createFsStore({ dir: scratch, durable: false })
    try {
      await swarm(`fs-fast:${scratch}`, store, scratch, { trials: 8, leaseTtlMs: TTL, workerLeaseTtlMs: TTL, pollIntervalMs: POLL })
    } finally {
      await killAll()
      await store.close()
      await rm(scratch, { recursive: true, force: true, maxRetries: 5 })
    }
  }, 180_000)

  it('DynamoDB Local, one table', async () => {
    const { tableName, endpoint, clientConfig } = await newDynamoTable('recovery-swarm')
    const store = createDynamoDbStore({ tableName, clientConfig })
    const scratch = await mkdtemp(join(tmpdir(), 'cairn-recovery-swarm-ddb-'))
    try {
      // A longer lease for the worker (5 s), a slower poll and fewer trials: 100 leases renewed
      // every ttl / 4 and 3 monitors listing 100 sessions 5 times a second would be most of what
      // DynamoDB Local can serve on 2 cores.
      await swarm(`dynamodb:${tableName}@${endpoint}`, store, scratch, {
        trials: 5,
        leaseTtlMs: TTL,
        workerLeaseTtlMs: 5_000,
        pollIntervalMs: 500,
      })
    } finally {
      await killAll()
      await store.close() // the table lives in DynamoDB Local's memory, gone when it stops
      await rm(scratch, { recursive: true, force: true, maxRetries: 5 })
    }
  }, 180_000)
})
