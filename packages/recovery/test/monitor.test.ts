import diagnostics from 'node:diagnostics_channel'
import {
  AlreadyRunningError,
  CheckpointCorruptError,
  createMemoryStore,
  LeaseLostError,
  ResumeMismatchError,
  RevisionConflictError,
  TimeoutError,
  type CheckpointStore,
} from '@cairn/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AttemptTimeoutError,
  RECOVERY_CHANNEL_NAMES,
  RecoveryMonitor,
  ResumeExecutor,
  UnknownRecoveryJobError,
  type RecoveryEvent,
  type RecoveryExecutor,
} from '../src/index.js'
import { JOB, otherWalk, quadratic, referenceCandidates, testJobs, walk } from './fixtures/job.js'
import { harness, stopMonitors } from './helpers/harness.js'
import { ManualTime, flush, until } from './helpers/manual-time.js'
import { faultyStore, hang, plantOrphan, range, trialLog } from './helpers/stores.js'

afterEach(stopMonitors)

const MAX = 12

describe('RecoveryMonitor', () => {
  it('recovers nothing while the policy is disabled', async () => {
    const store = createMemoryStore()
    await plantOrphan(store, { sessionId: 'orphan', trialsDone: 3, maxTrials: MAX })
    for (const policy of [undefined, { enabled: false, pollIntervalMs: 10 }]) {
      const time = new ManualTime()
      const monitor = new RecoveryMonitor({ store, jobs: testJobs(0), clock: time, timers: time, ...(policy ? { policy } : {}) })
      const events: RecoveryEvent[] = []
      monitor.on('*', (e) => events.push(e))
      monitor.start()
      await time.advance(600_000)
      expect(monitor.running).toBe(false)
      expect(time.size).toBe(0)
      expect(events).toEqual([])
      await monitor.stop()
    }
    const log = await trialLog(store, 'orphan')
    expect(log).toMatchObject({ status: 'running', attempts: 3 })
  })

  it('resumes an orphaned session to exactly the candidates of an uninterrupted run', async () => {
    const h = harness()
    await plantOrphan(h.store, { sessionId: 'orphan', trialsDone: 5, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('completed').length === 1, 'completed')
    expect(h.events.map((e) => e.type)).toEqual(['detected', 'started', 'completed'])
    expect(h.of('detected')[0]).toMatchObject({ sessionId: 'orphan', reason: 'lease-expired', monitor: 'monitor-a' })
    expect(h.of('started')[0]).toMatchObject({ sessionId: 'orphan', attempt: 1, job: JOB })
    expect(h.of('completed')[0]?.result).toMatchObject({ status: 'completed', progress: { attempts: MAX } })
    const log = await trialLog(h.store, 'orphan')
    expect(log.status).toBe('completed')
    expect(log.indices).toEqual(range(MAX))
    expect(log.attempts).toBe(MAX)
    expect(log.candidates).toEqual(await referenceCandidates(1234, MAX))
    // The lease was taken with the next fencing token to claim the attempt (counted in the head),
    // taken again by the driver (token + 1), and released at the end.
    const head = await h.store.load('orphan')
    expect(head.lease).toMatchObject({ owner: 'monitor-a', fencingToken: 4, expiresAt: 0 })
    expect(head.recovery).toMatchObject({ attempts: 1, atTrial: 5, lastOwner: 'monitor-a' })
    // Nothing more happens on later polls.
    await h.time.advance(10_000)
    expect(h.events).toHaveLength(3)
  })

  it('detects a dead worker at the first poll after its lease expires: never before, within one poll interval after', async () => {
    const store = createMemoryStore()
    await plantOrphan(store, { sessionId: 'dying', trialsDone: 3, maxTrials: MAX })
    const TTL = 1_000
    const POLL = 300
    const lease = await store.acquireLease('dying', 'worker', TTL) // its last renewal; then it died
    const h = harness({ store, time: new ManualTime(lease.expiresAt - TTL), policy: { pollIntervalMs: POLL } })
    h.monitor.start()
    await h.step(0)
    while (h.time.now() < lease.expiresAt) {
      expect(h.of('detected'), `at +${h.time.now() - (lease.expiresAt - TTL)} ms`).toEqual([])
      await h.step(50)
    }
    while (h.of('detected').length === 0 && h.time.now() <= lease.expiresAt + POLL) await h.step(50)
    const detected = h.of('detected', 'dying')
    expect(detected).toHaveLength(1)
    expect(detected[0]?.at).toBeGreaterThanOrEqual(lease.expiresAt)
    expect(detected[0]?.at).toBeLessThanOrEqual(lease.expiresAt + POLL) // ttl + poll interval after the last renewal
  })

  it('drives at most maxConcurrent sessions at once and recovers them all', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const jobs = { [JOB]: { optimizer: walk, objective: async (c: { x: number }) => (await gate, (c.x - 1) ** 2) } }
    const h = harness({ jobs, policy: { maxConcurrent: 2 } })
    const ids = ['s1', 's2', 's3', 's4', 's5']
    for (const id of ids) await plantOrphan(h.store, { sessionId: id, trialsDone: 1, maxTrials: 4 })
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('started').length === 2, 'two started')
    await h.time.advance(5_000)
    expect(h.monitor.status().inFlight).toHaveLength(2)
    expect(h.of('started')).toHaveLength(2)
    expect(h.of('detected')).toHaveLength(5)
    open()
    for (let i = 0; i < 10 && h.of('completed').length < 5; i++) {
      await until(() => h.monitor.status().inFlight.length === 0 || h.of('completed').length === 5, 'a round')
      await h.time.advance(1_000)
    }
    expect(
      h
        .of('completed')
        .map((e) => e.sessionId)
        .sort(),
    ).toEqual(ids)
    expect(h.of('failed')).toEqual([])
    for (const id of ids) expect(await trialLog(h.store, id)).toMatchObject({ status: 'completed', indices: range(4), attempts: 4 })
  })

  it.each([
    ['a job the registry does not know', { job: 'elsewhere' }],
    ['a session started without a job', { job: null }],
  ] as const)('gives up at once, without retrying, on %s', async (_what, orphan) => {
    const onFailure = vi.fn()
    const h = harness({ policy: { onFailure } })
    await plantOrphan(h.store, { sessionId: 'nojob', trialsDone: 2, maxTrials: MAX, ...orphan })
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('exhausted').length === 1, 'exhausted')
    await h.time.advance(120_000)
    expect(h.events.map((e) => e.type)).toEqual(['detected', 'failed', 'exhausted'])
    const failed = h.of('failed')[0]
    expect(failed).toMatchObject({ attempt: 1, retryable: false, willRetry: false, nextAttemptAt: null })
    expect(failed?.error).toBeInstanceOf(UnknownRecoveryJobError)
    expect((failed!.error as Error).message).toMatch(/^\[@cairn\/recovery\] session "nojob"/)
    expect(h.of('exhausted')[0]).toMatchObject({ reason: 'permanent', attempts: 1 })
    expect(onFailure).toHaveBeenCalledTimes(1)
    expect(h.monitor.status().quarantined).toMatchObject([{ sessionId: 'nojob', reason: 'permanent' }])
    expect(await trialLog(h.store, 'nojob')).toMatchObject({ status: 'running', attempts: 2 })
  })

  it('treats ResumeMismatchError as permanent and changes nothing of the session in the store', async () => {
    const h = harness({ jobs: { [JOB]: { optimizer: otherWalk, objective: quadratic(0) } } })
    await plantOrphan(h.store, { sessionId: 'mismatch', trialsDone: 2, maxTrials: MAX })
    const before = await h.store.load('mismatch')
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('exhausted').length === 1, 'exhausted')
    await h.time.advance(60_000)
    expect(h.of('failed')).toHaveLength(1)
    expect(h.of('failed')[0]?.error).toBeInstanceOf(ResumeMismatchError)
    // Only the claim's bookkeeping moved: the attempt count (and the lease and revision it was committed with).
    const { recovery, lease, revision, ...after } = await h.store.load('mismatch')
    const { lease: _l, revision: _r, ...session } = before
    expect(after).toEqual(session)
    expect(recovery).toMatchObject({ attempts: 1, atTrial: 2 })
    expect(await h.store.readTrials('mismatch')).toHaveLength(2)
  })

  it('retries a transient failure after a doubling backoff, then recovers', async () => {
    const inner = createMemoryStore()
    let failLoads = 2
    const store = faultyStore(inner, (method) => {
      if (method === 'load' && failLoads > 0) {
        failLoads--
        return Promise.reject(new Error('ECONNRESET: socket hang up'))
      }
    })
    const onRecovery = vi.fn()
    const h = harness({ store, policy: { backoffMs: 1_000, pollIntervalMs: 100, onRecovery } })
    await plantOrphan(inner, { sessionId: 'flaky', trialsDone: 4, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    const t0 = h.time.now()
    expect(h.of('failed')).toHaveLength(1)
    expect(h.of('failed')[0]).toMatchObject({ attempt: 1, retryable: true, willRetry: true, nextAttemptAt: t0 + 1_000 })
    expect(h.monitor.status().waiting).toEqual([{ sessionId: 'flaky', failures: 1, nextAttemptAt: t0 + 1_000 }])
    await h.time.advance(900)
    expect(h.of('failed')).toHaveLength(1) // not before its backoff
    await h.time.advance(100)
    expect(h.of('failed')).toHaveLength(2)
    expect(h.of('failed')[1]).toMatchObject({ attempt: 2, willRetry: true, nextAttemptAt: t0 + 1_000 + 2_000 })
    await h.time.advance(1_900)
    expect(h.of('started')).toHaveLength(0)
    await h.time.advance(100)
    await until(() => h.of('completed').length === 1, 'completed')
    expect(h.of('completed')[0]).toMatchObject({ attempt: 3 })
    expect(h.of('detected')).toHaveLength(1)
    expect(onRecovery).toHaveBeenCalledTimes(1)
    expect(await trialLog(inner, 'flaky')).toMatchObject({ status: 'completed', indices: range(MAX) })
  })

  it('gives up after maxAttempts, quarantines the session, and retry() lifts the quarantine', async () => {
    const inner = createMemoryStore()
    let broken = true
    const store = faultyStore(inner, (method) => (method === 'load' && broken ? Promise.reject(new Error('EIO')) : undefined))
    const onFailure = vi.fn()
    const h = harness({ store, policy: { maxAttempts: 3, onFailure } })
    await plantOrphan(inner, { sessionId: 'doomed', trialsDone: 1, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await h.time.advance(60_000)
    expect(h.of('failed').map((e) => [e.attempt, e.willRetry])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ])
    expect(h.of('exhausted')).toMatchObject([{ sessionId: 'doomed', attempts: 3, reason: 'max-attempts' }])
    expect(onFailure).toHaveBeenCalledTimes(1)
    await h.time.advance(600_000)
    expect(h.of('failed')).toHaveLength(3)
    broken = false
    expect(h.monitor.retry('doomed')).toBe(true)
    await h.time.advance(1_000)
    await until(() => h.of('completed').length === 1, 'completed after retry()')
    expect(h.of('detected')).toHaveLength(2)
    expect(h.of('completed')[0]).toMatchObject({ attempt: 1 })
  })

  it('times out a hung takeover, frees its slot for the next session, and hands the lease back', async () => {
    const inner = createMemoryStore()
    const store = faultyStore(inner, (method, args) => (method === 'load' && args[0] === 'a-hung' ? hang() : undefined))
    const h = harness({ store, policy: { maxConcurrent: 1, attemptTimeoutMs: 5_000, maxAttempts: 2 }, random: () => 0.999 })
    await plantOrphan(inner, { sessionId: 'a-hung', trialsDone: 2, maxTrials: MAX })
    await plantOrphan(inner, { sessionId: 'b-fine', trialsDone: 2, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    expect(h.monitor.status().inFlight).toMatchObject([{ sessionId: 'a-hung', attempt: 1 }])
    await h.time.advance(4_999)
    expect(h.of('failed')).toHaveLength(0)
    await h.time.advance(1)
    expect(h.of('failed', 'a-hung')).toHaveLength(1)
    const failure = h.of('failed', 'a-hung')[0]
    expect(failure?.error).toBeInstanceOf(AttemptTimeoutError)
    expect(failure?.error).toBeInstanceOf(TimeoutError)
    expect(failure).toMatchObject({ retryable: true, willRetry: true })
    await until(() => h.of('completed', 'b-fine').length === 1, 'b-fine recovered in the freed slot')
    await h.time.advance(20_000)
    expect(h.of('exhausted')).toMatchObject([{ sessionId: 'a-hung', reason: 'max-attempts', attempts: 2 }])
    expect(h.monitor.status().inFlight).toEqual([])
  })

  it('abandons an attempt whose trial hangs: the driver is fenced off, the lease released, and a retry finishes the session', async () => {
    let hangOnce = true
    const jobs = {
      [JOB]: {
        optimizer: walk,
        leaseTtlMs: 200,
        objective: (c: { x: number }, ctx: { trialIdx: number }) => {
          if (ctx.trialIdx === 7 && hangOnce) {
            hangOnce = false
            return new Promise<number>(() => {}) // ignores its abort signal
          }
          return (c.x - 1) ** 2
        },
      },
    }
    const h = harness({ jobs, policy: { attemptTimeoutMs: 30_000 } })
    await plantOrphan(h.store, { sessionId: 'stuck', trialsDone: 3, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await until(async () => (await h.store.load('stuck')).progress.attempts === 7, 'trials up to the hung one')
    await h.time.advance(29_999)
    expect(h.of('failed')).toHaveLength(0)
    await h.time.advance(1)
    expect(h.of('failed')[0]?.error).toBeInstanceOf(AttemptTimeoutError)
    // Handed back: the lease is released, and the fenced driver commits nothing more.
    await until(async () => (await h.store.load('stuck')).lease?.expiresAt === 0, 'lease released')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect((await h.store.load('stuck')).progress.attempts).toBe(7)
    await h.time.advance(1_000)
    await until(() => h.of('completed').length === 1, 'completed by the retry')
    // The first attempt committed trials 3–6 before it hung: progress, so the count started afresh.
    expect(h.of('completed')[0]).toMatchObject({ attempt: 1 })
    const log = await trialLog(h.store, 'stuck')
    expect(log.indices).toEqual(range(MAX))
    expect(log.candidates).toEqual(await referenceCandidates(1234, MAX))
  })

  it('survives an executor that throws or rejects, and listeners and hooks that throw', async () => {
    const store = createMemoryStore()
    const real = new ResumeExecutor({ store, jobs: testJobs(0) })
    let calls = 0
    const executor: RecoveryExecutor = {
      recover(task) {
        calls++
        if (calls === 1) throw new TypeError('executor bug (sync)')
        if (calls === 2) return Promise.reject(new RangeError('executor bug (async)'))
        return real.recover(task)
      },
    }
    const h = harness({
      store,
      executor,
      policy: {
        onFailure: () => {
          throw new Error('hook bug')
        },
        onRecovery: async () => {
          throw new Error('async hook bug')
        },
      },
    })
    h.monitor.on('detected', () => {
      throw new Error('listener bug')
    })
    await plantOrphan(store, { sessionId: 'x', trialsDone: 2, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await h.time.advance(10_000)
    await until(() => h.of('completed').length === 1, 'completed')
    expect(h.of('failed').map((e) => (e.error as Error).name)).toEqual(['TypeError', 'RangeError'])
    expect(h.of('failed').every((e) => e.retryable)).toBe(true)
    await until(() => h.of('poll_error').length === 2, 'the hook error')
    expect(h.of('poll_error').map((e) => [e.phase, (e.error as Error).message])).toEqual([
      ['listener', 'listener bug'],
      ['hook', 'async hook bug'],
    ])
    expect(h.monitor.running).toBe(true)
    expect(await trialLog(store, 'x')).toMatchObject({ status: 'completed', indices: range(MAX) })
  })

  it('reports a failing poll and keeps polling', async () => {
    const inner = createMemoryStore()
    const store = faultyStore(inner, (method, _args, n) =>
      method === 'list' && n === 1 ? Promise.reject(new Error('ETIMEDOUT')) : undefined,
    )
    const h = harness({ store })
    await plantOrphan(inner, { sessionId: 'p', trialsDone: 1, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    expect(h.of('poll_error')).toMatchObject([{ phase: 'list', error: { message: 'ETIMEDOUT' } }])
    await h.time.advance(1_000)
    await until(() => h.of('completed').length === 1, 'completed')
  })

  it('times out a hung poll, and stop() returns at once even while a poll hangs', async () => {
    const inner = createMemoryStore()
    const store = faultyStore(inner, (method) => (method === 'list' ? hang() : undefined))
    const h = harness({ store, policy: { pollTimeoutMs: 3_000 } })
    h.monitor.start()
    await h.time.advance(0)
    await h.time.advance(3_000)
    expect(h.of('poll_error')).toHaveLength(1)
    expect(h.of('poll_error')[0]?.error).toBeInstanceOf(TimeoutError)
    await h.time.advance(1_000) // the next poll starts, and hangs
    expect(store.calls.list).toBe(2)
    await h.monitor.stop()
    expect(h.monitor.running).toBe(false)
    expect(h.time.size).toBe(0) // no timer outlives stop(), so a process can exit
    await h.time.advance(60_000)
    expect(store.calls.list).toBe(2)
    expect(h.of('poll_error')).toHaveLength(1)
  })

  it('lets two monitors share a store: each session is driven once, the loser skips', async () => {
    const store = createMemoryStore()
    const time = new ManualTime(Date.now() - 3_600_000)
    const a = harness({ store, time, owner: 'monitor-a', policy: { maxConcurrent: 3 } })
    const b = harness({ store, time, owner: 'monitor-b', policy: { maxConcurrent: 3 } })
    const ids = range(8).map((i) => `shared-${i}`)
    for (const id of ids) await plantOrphan(store, { sessionId: id, trialsDone: i(id), maxTrials: 6 })
    a.monitor.start()
    b.monitor.start()
    for (let round = 0; round < 30; round++) {
      const done = [...a.of('completed'), ...b.of('completed')].length
      if (done === ids.length) break
      await until(() => a.monitor.status().inFlight.length + b.monitor.status().inFlight.length === 0, 'both idle')
      await time.advance(1_000)
    }
    const completed = [...a.of('completed'), ...b.of('completed')].map((e) => e.sessionId).sort()
    expect(completed).toEqual([...ids].sort())
    expect([...a.of('failed'), ...b.of('failed')]).toEqual([])
    for (const e of [...a.of('skipped'), ...b.of('skipped')])
      expect(['already-running', 'already-terminal', 'not-running']).toContain(e.reason)
    for (const id of ids) expect(await trialLog(store, id)).toMatchObject({ status: 'completed', indices: range(6), attempts: 6 })
    function i(id: string): number {
      return Number(id.split('-')[1]) % 4
    }
  })

  it('skips (without counting a failure) a session whose lease another owner holds', async () => {
    const store = createMemoryStore()
    await plantOrphan(store, { sessionId: 'held', trialsDone: 1, maxTrials: MAX })
    await store.acquireLease('held', 'someone-else', 60_000)
    const time = new ManualTime(Date.now() + 3_600_000) // this monitor's clock runs an hour fast
    const h = harness({ store, time })
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('skipped').length === 1, 'skipped')
    expect(h.of('skipped')[0]).toMatchObject({ sessionId: 'held', reason: 'already-running', attempt: 1 })
    await h.time.advance(1_000)
    await until(() => h.of('skipped').length === 2, 'skipped again')
    expect(h.of('skipped')[1]).toMatchObject({ attempt: 1 })
    expect(h.of('failed')).toEqual([])
  })

  it('stop() hands driven sessions back, and another monitor finishes them exactly', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const store = createMemoryStore()
    const slowJobs = {
      [JOB]: {
        optimizer: walk,
        objective: async (c: { x: number }, ctx: { trialIdx: number }) => (ctx.trialIdx >= 6 ? await gate : undefined, (c.x - 1) ** 2),
      },
    }
    const a = harness({ store, jobs: slowJobs, owner: 'monitor-a' })
    await plantOrphan(store, { sessionId: 'handoff', trialsDone: 3, maxTrials: MAX })
    a.monitor.start()
    await a.time.advance(0)
    await until(async () => (await store.load('handoff')).progress.attempts === 6, 'trials up to the gate')
    await a.monitor.stop()
    expect((await store.load('handoff')).lease).toMatchObject({ owner: 'monitor-a', expiresAt: 0 })
    expect(a.of('failed')).toEqual([])
    open() // the fenced driver finishes its trial but cannot commit it
    await flush()
    const b = harness({ store, owner: 'monitor-b' })
    b.monitor.start()
    await b.time.advance(0)
    await until(() => b.of('completed').length === 1, 'completed by b')
    const log = await trialLog(store, 'handoff')
    expect(log.indices).toEqual(range(MAX))
    expect(log.candidates).toEqual(await referenceCandidates(1234, MAX))
  })

  it('stop({ drain: true }) lets driven sessions finish', async () => {
    const h = harness({ jobs: testJobs(20) })
    await plantOrphan(h.store, { sessionId: 'drain', trialsDone: 2, maxTrials: 8 })
    h.monitor.start()
    await h.time.advance(0)
    await until(() => h.of('started').length === 1, 'started')
    await h.monitor.stop({ drain: true })
    expect(h.of('completed')).toHaveLength(1)
    expect(await trialLog(h.store, 'drain')).toMatchObject({ status: 'completed', indices: range(8) })
  })

  it('publishes on cairn:recovery:* channels and as an async iterable that ends on stop', async () => {
    const published: Array<[string, unknown]> = []
    const subscribers = Object.entries(RECOVERY_CHANNEL_NAMES).map(([type, name]) => {
      const fn = (message: unknown): void => void published.push([type, message])
      diagnostics.subscribe(name, fn)
      return () => diagnostics.unsubscribe(name, fn)
    })
    try {
      expect(RECOVERY_CHANNEL_NAMES).toEqual({
        detected: 'cairn:recovery:detected',
        poll_error: 'cairn:recovery:poll_error',
        started: 'cairn:recovery:started',
        completed: 'cairn:recovery:completed',
        failed: 'cairn:recovery:failed',
        exhausted: 'cairn:recovery:exhausted',
        skipped: 'cairn:recovery:skipped',
        rebuilt: 'cairn:recovery:rebuilt',
      })
      const h = harness()
      const iterated: RecoveryEvent[] = []
      const reading = (async () => {
        for await (const e of h.monitor.events()) iterated.push(e)
      })()
      await plantOrphan(h.store, { sessionId: 'ch', trialsDone: 1, maxTrials: 4 })
      h.monitor.start()
      await h.time.advance(0)
      await until(() => h.of('completed').length === 1, 'completed')
      await h.monitor.stop()
      await reading
      expect(iterated.map((e) => e.type)).toEqual(['detected', 'started', 'completed'])
      expect(published.map(([type]) => type)).toEqual(['detected', 'started', 'completed'])
      expect(published[1]?.[1]).toMatchObject({ type: 'started', sessionId: 'ch', attempt: 1, monitor: 'monitor-a' })
    } finally {
      for (const unsubscribe of subscribers) unsubscribe()
    }
  })

  it('treats a head that fails to decode on load as corrupt: reported once, quarantined', async () => {
    const inner = createMemoryStore()
    const store = faultyStore(inner, (method, args) =>
      method === 'load' && args[0] === 'bad'
        ? Promise.reject(new CheckpointCorruptError('head of session "bad"', 'checksum mismatch'))
        : undefined,
    )
    const h = harness({ store })
    await plantOrphan(inner, { sessionId: 'bad', trialsDone: 1, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await h.time.advance(30_000)
    expect(h.events.map((e) => e.type)).toEqual(['detected', 'failed', 'exhausted'])
    expect(h.of('exhausted')[0]).toMatchObject({ reason: 'corrupt' })
    expect(h.of('failed')[0]?.error).toBeInstanceOf(CheckpointCorruptError)
  })

  it('rejects malformed options with a clear error', () => {
    const store = createMemoryStore()
    expect(() => new RecoveryMonitor({ store: {} as CheckpointStore, jobs: {} })).toThrow(/^\[@cairn\/recovery\] store:/)
    expect(() => new RecoveryMonitor({ store, jobs: [] as never })).toThrow(/^\[@cairn\/recovery\] jobs:/)
    expect(() => new RecoveryMonitor({ store, jobs: { a: { objective: quadratic(0) } as never } })).toThrow(/jobs\["a"\]\.optimizer/)
    expect(() => new RecoveryMonitor({ store, jobs: {}, policy: { maxAttempts: -1 } })).toThrow(/policy\.maxAttempts/)
    expect(() => new RecoveryMonitor({ store, jobs: {}, leaseTtlMs: 0 })).toThrow(/leaseTtlMs/)
  })

  it('refuses unknown option keys (naming the nearest) and a lease ttl beyond 24 hours', async () => {
    const store = createMemoryStore()
    expect(() => new RecoveryMonitor({ store, jobs: {}, polcy: { enabled: true } } as never)).toThrow(
      '[@cairn/recovery] RecoveryMonitor: unknown option polcy (did you mean policy?)',
    )
    expect(() => new RecoveryMonitor({ store, jobs: {}, policy: { enabled: true, maxAttempt: 5 } as never })).toThrow(
      '[@cairn/recovery] policy: unknown option policy.maxAttempt (did you mean maxAttempts?)',
    )
    expect(() => new RecoveryMonitor({ store, jobs: {}, leaseTtlMs: 1e15 })).toThrow(/^\[@cairn\/recovery\] leaseTtlMs: .*at most 86400000/)
    const monitor = new RecoveryMonitor({ store, jobs: {} })
    await expect(monitor.stop({ drian: true } as never)).rejects.toThrow(/unknown option drian \(did you mean drain\?\)/)
  })

  it("knows main's newer options: sessions and policy.rebuildCorruptHeads are taken, a job's rebuild hints are checked", () => {
    const store = createMemoryStore()
    const scoped = new RecoveryMonitor({ store, jobs: {}, sessions: ['s-1'], policy: { enabled: true, rebuildCorruptHeads: false } })
    expect(scoped.status().scope).toEqual(['s-1'])
    expect(scoped.policy.rebuildCorruptHeads).toBe(false)
    expect(() => new RecoveryMonitor({ store, jobs: {}, sessions: 's-1' as never })).toThrow(
      /^\[@cairn\/recovery\] sessions: must be an array/,
    )
    expect(() => new RecoveryMonitor({ store, jobs: {}, session: ['s-1'] } as never)).toThrow(
      '[@cairn/recovery] RecoveryMonitor: unknown option session (did you mean sessions?)',
    )
    const job = (rebuild: unknown) => ({ quad: { optimizer: walk, objective: quadratic(0), rebuild } })
    expect(new RecoveryMonitor({ store, jobs: job({ maxTrials: 10, direction: 'minimize', seed: 3 }) as never })).toBeInstanceOf(
      RecoveryMonitor,
    )
    expect(() => new RecoveryMonitor({ store, jobs: job({ maxTrial: 10 }) as never })).toThrow(
      /unknown option jobs\["quad"\]\.rebuild\.maxTrial \(did you mean maxTrials\?\)/,
    )
    expect(() => new RecoveryMonitor({ store, jobs: job({ direction: 'up' }) as never })).toThrow(
      /^\[@cairn\/recovery\] jobs\["quad"\]\.rebuild\.direction: must be "minimize" or "maximize"/,
    )
  })

  it.each([
    ['AlreadyRunningError', 'already-running', (id: string) => new AlreadyRunningError(id, 'elsewhere')],
    ['RevisionConflictError', 'lease-lost', (id: string) => new RevisionConflictError(id, 4, 5)],
    ['LeaseLostError', 'lease-lost', (id: string) => new LeaseLostError(id, 'taken over')],
  ] as const)('classifies %s thrown by an executor as a skip (%s), never a failure', async (_name, reason, error) => {
    const store = createMemoryStore()
    const executor: RecoveryExecutor = { recover: (task) => Promise.reject(error(task.sessionId)) }
    const h = harness({ store, executor })
    await plantOrphan(store, { sessionId: 'r', trialsDone: 1, maxTrials: MAX })
    h.monitor.start()
    await h.time.advance(0)
    await h.time.advance(5_000)
    expect(h.of('failed')).toEqual([])
    expect(h.of('exhausted')).toEqual([])
    expect(h.of('skipped').length).toBeGreaterThan(1)
    expect(h.of('skipped').every((e) => e.attempt === 1 && e.reason === reason)).toBe(true)
  })
})
