/**
 * The scenario: DynamoDB Local, one table, a RecoveryMonitor process and three worker
 * processes, each driving its own session. One worker is SIGKILLed mid-run; the monitor
 * notices its lease expire, takes the session over (next fencing token) and finishes it.
 * `runDemo` returns what happened, checked against the store and an uninterrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createMemoryStore, startSession, type Lease, type TrialRecord } from '@cairn/core'
import { createDynamoDbStore, createTable, type DynamoDbStore } from '@cairn/store-dynamodb'
import { localClientConfig, startDynamoDbLocal, type LocalDynamoDb } from '@cairn/store-dynamodb/testing'
import { JOB, SPACE, objective, optimizer } from './job.js'
import type { MonitorConfig } from './monitor.js'
import type { CommitReport } from './report.js'
import type { WorkerConfig } from './worker.js'

/** Options of `runDemo`. */
export interface DemoOptions {
  /** Worker processes, one session each (default 3). */
  workers?: number
  /** Which worker is killed, 0-based (default 1). */
  victim?: number
  /** The victim is SIGKILLed once it has committed this many trials (default 5). */
  killAfterTrials?: number
  /** Trials per session (default 20). */
  maxTrials?: number
  /** Duration of one trial, ms (default 150). */
  delayMs?: number
  /** Lease ttl of every driver, ms (default 2 000): how long a dead worker's session waits. */
  leaseTtlMs?: number
  /** Monitor poll interval, ms (default 500). */
  pollIntervalMs?: number
  /** Give up after this long, ms (default 120 000). */
  timeoutMs?: number
  /** A DynamoDB Local already running (its endpoint) to use instead of starting one; the demo makes its own table there. */
  endpoint?: string
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void
  /**
   * The node arguments that run one of this example's entry points (`src/worker.ts`,
   * `src/monitor.ts`, absolute paths) in its own process; default: its TypeScript source through
   * tsx, with the `@cairn/source` condition. The test runs them as built JavaScript instead.
   */
  nodeArgs?: (file: string) => string[]
}

/** What happened to one session. */
export interface SessionReport {
  sessionId: string
  worker: string
  killed: boolean
  status: string
  attempts: number
  /** Trial indices in the store's log, in order. */
  trialIdxs: number[]
  /** Who reported committing which trials (a commit that landed just before a SIGKILL may go unreported). */
  committedBy: Record<string, number[]>
  /** Fencing tokens the commits were made under, per process. */
  fencingTokens: Record<string, number[]>
  /** The trial log equals (candidates and scores) that of the same session run straight through in one process. */
  matchesUninterrupted: boolean
}

/** What `runDemo` returns. */
export interface DemoReport {
  endpoint: string
  tableName: string
  sessions: SessionReport[]
  /**
   * The victim was frozen (SIGSTOP), its session's lease read from the store, then it was
   * SIGKILLed: `leaseAtKill` is who held the lease at that moment — the victim, unless it had
   * already lost it (a stall longer than the ttl).
   */
  kill: { worker: string; pid: number; sessionId: string; afterTrials: number; leaseAtKill: Lease | null }
  /** ms from the SIGKILL to the monitor's `detected` (the one that led to the takeover), `started` and `completed` for that session. */
  recovery: { detectedMs: number; startedMs: number; completedMs: number }
  /** The monitor's events, in order (type and session). */
  monitorEvents: Array<{ type: string; sessionId?: string; reason?: string }>
}

interface Message {
  started?: { by: string; pid: number; sessionId?: string }
  commit?: CommitReport
  result?: { by: string; sessionId: string; status: string; bestScore: number | null }
  lost?: { by: string; sessionId: string; code: string }
  event?: { type: string; at: number; sessionId?: string; reason?: string; error?: string; result?: { status: string; attempts: number } }
  stopped?: { by: string }
}

interface Proc {
  name: string
  child: ChildProcess
  messages: Message[]
  /** Resolves with the first message (received or to come) that matches. */
  next(match: (m: Message) => boolean, timeoutMs: number): Promise<Message>
  exited: Promise<void>
  stderr(): string
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href

/** Runs one of this example's `.ts` entry points through tsx, from the sources. */
const fromSource = (file: string): string[] => ['--conditions=@cairn/source', '--import', TSX, file]

/** Runs one of this example's `.ts` entry points in its own Node process, started with `nodeArgs`. */
function start(name: string, file: string, config: unknown, nodeArgs: (file: string) => string[]): Proc {
  const child = spawn(process.execPath, [...nodeArgs(here(file)), JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const messages: Message[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  let gone = false
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8_000)))
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as Message)
    } catch {
      return // not one of ours
    }
    for (const w of waiters) w()
  })
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      gone = true
      for (const w of waiters) w()
      resolve()
    }),
  )
  const next = (match: (m: Message) => boolean, timeoutMs: number) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match)
        if (found) return done(() => resolve(found))
        if (gone)
          return done(() =>
            reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before the expected message\n${stderr}`)),
          )
      }
      const timer = setTimeout(
        () => done(() => reject(new Error(`${name}: no expected message within ${timeoutMs} ms\n${stderr}`))),
        timeoutMs,
      )
      const done = (then: () => void) => {
        clearTimeout(timer)
        waiters.delete(check)
        then()
      }
      waiters.add(check)
      check()
    })
  return { name, child, messages, next, exited, stderr: () => stderr }
}

async function kill(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  await p.exited
}

/** Trials of the same session run straight through, in memory, without delays. */
async function uninterrupted(seed: number, maxTrials: number): Promise<TrialRecord[]> {
  const store = createMemoryStore()
  const handle = await startSession({
    store,
    sessionId: 'reference',
    job: JOB,
    optimizer: optimizer(),
    space: SPACE,
    objective: objective(0),
    seed,
    maxTrials,
  })
  await handle.wait()
  return store.readTrials('reference')
}

const sameTrials = (a: readonly TrialRecord[], b: readonly TrialRecord[]) =>
  JSON.stringify(a.map((t) => [t.trialIdx, t.candidate, t.score, t.status])) ===
  JSON.stringify(b.map((t) => [t.trialIdx, t.candidate, t.score, t.status]))

/** Runs the scenario (see the file comment) and reports what happened. Cleans up everything it started. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const o = {
    workers: options.workers ?? 3,
    victim: options.victim ?? 1,
    killAfterTrials: options.killAfterTrials ?? 5,
    maxTrials: options.maxTrials ?? 20,
    delayMs: options.delayMs ?? 150,
    leaseTtlMs: options.leaseTtlMs ?? 2_000,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    timeoutMs: options.timeoutMs ?? 120_000,
  }
  const log = options.log ?? (() => {})
  const deadline = Date.now() + o.timeoutMs
  const left = () => Math.max(1, deadline - Date.now())
  const tableName = `cairn-distributed-${process.pid}-${Date.now().toString(36)}`
  const procs: Proc[] = []
  let local: LocalDynamoDb | undefined
  let store: DynamoDbStore | undefined
  try {
    let endpoint = options.endpoint
    if (endpoint === undefined) {
      log('starting DynamoDB Local (in memory) …')
      local = await startDynamoDbLocal({ timeoutMs: left() })
      endpoint = local.endpoint
      log(`DynamoDB Local on ${endpoint} (pid ${local.pid})`)
    }
    await createTable({ tableName, clientConfig: localClientConfig(endpoint) })
    log(`table ${tableName} created with createTable()`)
    store = createDynamoDbStore({ tableName, clientConfig: localClientConfig(endpoint) })

    const monitorConfig: MonitorConfig = {
      name: 'monitor',
      endpoint,
      tableName,
      delayMs: o.delayMs,
      leaseTtlMs: o.leaseTtlMs,
      pollIntervalMs: o.pollIntervalMs,
    }
    const nodeArgs = options.nodeArgs ?? fromSource
    const monitor = start('monitor', './monitor.ts', monitorConfig, nodeArgs)
    procs.push(monitor)
    const workerConfigs: WorkerConfig[] = Array.from({ length: o.workers }, (_, i) => ({
      name: `worker-${i + 1}`,
      endpoint,
      tableName,
      sessionId: `session-${i + 1}`,
      seed: 100 + i,
      maxTrials: o.maxTrials,
      delayMs: o.delayMs,
      leaseTtlMs: o.leaseTtlMs,
    }))
    const workers = workerConfigs.map((c) => start(c.name, './worker.ts', c, nodeArgs))
    procs.push(...workers)
    await monitor.next((m) => m.started !== undefined, left())
    log(`monitor started (pid ${monitor.child.pid}), polling every ${o.pollIntervalMs} ms`)
    for (const w of workers) {
      const m = await w.next((x) => x.started !== undefined, left())
      log(
        `${w.name} (pid ${m.started!.pid}) drives ${m.started!.sessionId}: ${o.maxTrials} trials of ${o.delayMs} ms, lease ttl ${o.leaseTtlMs} ms`,
      )
    }

    // Kill the victim mid-run, SIGKILL: no cleanup, no lease release, a trial in flight. It is
    // frozen first (SIGSTOP), so the lease read from the store is the one it died holding.
    const victim = workers[o.victim]!
    const victimConfig = workerConfigs[o.victim]!
    const committed = (p: Proc) => p.messages.reduce((n, m) => n + (m.commit?.trials.length ?? 0), 0)
    await victim.next(() => committed(victim) >= o.killAfterTrials, left())
    const pid = victim.child.pid!
    victim.child.kill('SIGSTOP')
    const leaseAtKill = (await store.load(victimConfig.sessionId)).lease
    victim.child.kill('SIGKILL')
    const killedAt = Date.now()
    await victim.exited
    const afterTrials = committed(victim)
    log(`SIGKILL ${victim.name} (pid ${pid}) after ${afterTrials} committed trials of ${victimConfig.sessionId}`)

    // The monitor notices once the lease expires, takes the session over and finishes it.
    const forVictim = (type: string) => (m: Message) => m.event?.type === type && m.event.sessionId === victimConfig.sessionId
    const started = await monitor.next(forVictim('started'), left())
    // The detection that led to the takeover: the last one before it (an earlier one may have been
    // skipped, the lease renewed late by a worker starved of CPU).
    const detected = monitor.messages.slice(0, monitor.messages.indexOf(started)).findLast(forVictim('detected'))!
    log(`monitor: detected ${victimConfig.sessionId} (${detected.event!.reason}) ${detected.event!.at - killedAt} ms after the kill`)
    log(`monitor: took the lease and resumed ${victimConfig.sessionId} (attempt ${(started.event as { attempt?: number }).attempt ?? 1})`)
    const completed = await monitor.next(forVictim('completed'), left())
    log(`monitor: ${victimConfig.sessionId} ${completed.event!.result?.status} after ${completed.event!.result?.attempts} trials`)

    for (const w of workers) {
      if (w === victim) continue
      const m = await w.next((x) => x.result !== undefined || x.lost !== undefined, left())
      if (m.result) log(`${w.name}: ${m.result.sessionId} ${m.result.status}, best ${m.result.bestScore?.toFixed(4)}`)
      else log(`${w.name}: lost the lease of ${m.lost!.sessionId} (${m.lost!.code}); the monitor finishes it`)
    }

    // Every session must end completed; one a surviving worker lost (a stall longer than the
    // ttl on a busy machine) is finished by the monitor too.
    for (const c of workerConfigs) {
      for (;;) {
        const head = await store.load(c.sessionId)
        if (head.status === 'completed') break
        if (Date.now() > deadline) throw new Error(`${c.sessionId} is still ${head.status} at the deadline`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    monitor.child.stdin?.write('stop\n')
    await Promise.race([monitor.next((m) => m.stopped !== undefined, 15_000).catch(() => undefined), monitor.exited])
    await kill(monitor)

    const sessions: SessionReport[] = []
    const all = procs.flatMap((p) => p.messages)
    for (const [i, c] of workerConfigs.entries()) {
      const head = await store.load(c.sessionId)
      const trials = await store.readTrials(c.sessionId)
      const committedBy: Record<string, number[]> = {}
      const fencingTokens: Record<string, number[]> = {}
      for (const m of all) {
        if (m.commit?.sessionId !== c.sessionId) continue
        ;(committedBy[m.commit.by] ??= []).push(...m.commit.trials)
        const tokens = (fencingTokens[m.commit.by] ??= [])
        if (!tokens.includes(m.commit.fencingToken)) tokens.push(m.commit.fencingToken)
      }
      sessions.push({
        sessionId: c.sessionId,
        worker: c.name,
        killed: i === o.victim,
        status: head.status,
        attempts: head.progress.attempts,
        trialIdxs: trials.map((t) => t.trialIdx),
        committedBy,
        fencingTokens,
        matchesUninterrupted: sameTrials(trials, await uninterrupted(c.seed, o.maxTrials)),
      })
    }
    return {
      endpoint,
      tableName,
      sessions,
      kill: { worker: victim.name, pid, sessionId: victimConfig.sessionId, afterTrials, leaseAtKill },
      recovery: {
        detectedMs: detected.event!.at - killedAt,
        startedMs: started.event!.at - killedAt,
        completedMs: completed.event!.at - killedAt,
      },
      monitorEvents: monitor.messages.flatMap((m) =>
        m.event
          ? [
              {
                type: m.event.type,
                ...(m.event.sessionId ? { sessionId: m.event.sessionId } : {}),
                ...(m.event.reason ? { reason: m.event.reason } : {}),
              },
            ]
          : [],
      ),
    }
  } finally {
    await Promise.all(procs.map(kill))
    await store?.close()
    await local?.stop()
  }
}
