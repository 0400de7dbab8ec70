import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { float, space, startSession } from '@cairn/core'
import { referenceOptimizer } from '@cairn/testkit'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createDynamoDbStore, type DynamoDbStore } from '../src/index.js'
import { objective } from './fixtures/objective.js'
import type { WorkerConfig } from './fixtures/session-worker.js'
import { dropTable, endpoint, localConfig, newTable } from './support/tables.js'
import { childNodeArgs } from '../../../vitest.children.js'

const WORKERS = 4
const SESSIONS = 20
const MAX_TRIALS = 6
const WORKER = fileURLToPath(new URL('./fixtures/session-worker.ts', import.meta.url))
const FREEZE_HELPER = fileURLToPath(new URL('./fixtures/wait-for-takeover.ts', import.meta.url))

type Message = {
  commit?: {
    worker: string
    sessionId: string
    revision: number
    token: number
    trials: Array<{ idx: number; candidate: unknown; score?: number }>
  }
  refused?: { worker: string; sessionId: string; token: number; code: unknown }
  stopped?: { sessionId: string; code: unknown; message: unknown }
  frozen?: { sessionId: string; trialIdx: number }
  thawed?: { sessionId: string; trialIdx: number }
  done?: boolean
  error?: unknown
}

let tableName: string
let store: DynamoDbStore
const children: ChildProcess[] = []

beforeAll(async () => {
  tableName = await newTable('multi')
  store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
})
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await store.close()
  await dropTable(tableName)
})

function runWorker(config: WorkerConfig): Promise<{ messages: Array<Message & { from: string }>; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...childNodeArgs(WORKER), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
  children.push(child)
  const messages: Array<Message & { from: string }> = []
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-10_000)))
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push({ ...(JSON.parse(line) as Message), from: config.worker })
    } catch {
      // not a protocol line
    }
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ messages, code, stderr })))
}

test(`${WORKERS} worker processes race to drive ${SESSIONS} sessions on one table: every trial committed exactly once, one driver at a time`, async () => {
  const ids = Array.from({ length: SESSIONS }, (_, i) => `mp-${String(i).padStart(2, '0')}`)
  // Create the sessions (each runs its first trial here, then is paused for the workers).
  for (const [i, sessionId] of ids.entries()) {
    const handle = await startSession({
      store,
      optimizer: referenceOptimizer(),
      objective,
      space: space({ x: float(-5, 5) }),
      sessionId,
      seed: i + 1,
      maxTrials: MAX_TRIALS,
      owner: 'creator',
    })
    await handle.pause()
    expect((await handle.wait()).status).toBe('paused')
  }
  const creatorTrials = new Map<string, number>()
  for (const id of ids) creatorTrials.set(id, (await store.readTrials(id)).length)

  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) =>
      runWorker({
        endpoint: endpoint(),
        tableName,
        worker: `worker-${w}`,
        // Each worker starts its rounds at a different session.
        sessionIds: [...ids.slice(w * 5), ...ids.slice(0, w * 5)],
        trialsPerTurn: 2,
        leaseTtlMs: 1_000,
        freeze: w === 0,
        freezeHelper: childNodeArgs(FREEZE_HELPER),
      }),
    ),
  )
  for (const r of results) expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' })
  const messages = results.flatMap((r) => r.messages)
  expect(messages.filter((m) => m.error)).toEqual([])
  const commits = messages.flatMap((m) => (m.commit ? [m.commit] : []))

  for (const id of ids) {
    const head = await store.load(id)
    expect({ id, status: head.status, attempts: head.progress.attempts }).toEqual({ id, status: 'completed', attempts: MAX_TRIALS })
    const trials = await store.readTrials(id)
    expect(trials.map((t) => t.trialIdx)).toEqual(Array.from({ length: MAX_TRIALS }, (_, i) => i))

    // Every trial past the creator's was committed by exactly one worker commit, and the stored record is that commit's.
    const mine = commits.filter((c) => c.sessionId === id)
    const committed = mine.flatMap((c) => c.trials.map((t) => ({ ...t, worker: c.worker })))
    const first = creatorTrials.get(id) as number
    expect(committed.map((t) => t.idx).sort((a, b) => a - b)).toEqual(Array.from({ length: MAX_TRIALS - first }, (_, i) => first + i))
    for (const t of committed) expect(trials[t.idx]).toMatchObject({ candidate: t.candidate, score: t.score })

    // One driver at a time: in revision order the fencing token never goes back.
    const byRevision = [...mine].sort((a, b) => a.revision - b.revision)
    expect(new Set(byRevision.map((c) => c.revision)).size).toBe(byRevision.length)
    for (let i = 1; i < byRevision.length; i++) expect(byRevision[i]!.token).toBeGreaterThanOrEqual(byRevision[i - 1]!.token)
  }

  // The frozen worker's session was taken over while it was frozen; its stale lease wrote nothing afterwards.
  const frozen = messages.find((m) => m.frozen)?.frozen
  expect(frozen).toBeDefined()
  const victim = frozen!.sessionId
  // On waking, its driver stopped: its renewal found the lease taken (LEASE_LOST), or its commit found the session moved on (REVISION_CONFLICT).
  const stop = messages.find((m) => m.from === 'worker-0' && m.stopped?.sessionId === victim)?.stopped
  expect(['LEASE_LOST', 'REVISION_CONFLICT']).toContain(stop?.code)
  const staleToken = Math.max(0, ...commits.filter((c) => c.sessionId === victim && c.worker === 'worker-0').map((c) => c.token))
  const takeover = commits.filter((c) => c.sessionId === victim && c.worker !== 'worker-0')
  expect(takeover.length).toBeGreaterThan(0)
  expect(Math.min(...takeover.map((c) => c.token))).toBeGreaterThan(staleToken)
  // The trial that was in flight during the freeze was run again by the new driver, once.
  expect(takeover.flatMap((c) => c.trials.map((t) => t.idx))).toContain(frozen!.trialIdx)
}, 170_000)
