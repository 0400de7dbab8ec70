/**
 * A Cairn worker process of bench/workers.ts, speaking the line protocol of worker-pool.ts:
 *
 *   node --conditions=@cairn/source --import tsx bench/lib/workers-child.ts
 *
 * Prints `ready`, and on each `go {"where", "sessionId", "sleepMs", "trialLeaseTtlMs"?,
 * "pollIntervalMs"?, "reportAndClaim"?}` opens the store `where` says (once: a store is kept for the next `go`
 * there), attaches to the session with `joinSession` and evaluates its trials (the
 * objective prints `start <trialIdx> -1 <epoch ms>`, sleeps and prints `mark end <trialIdx> <epoch
 * ms>`; an accepted report prints `mark reported <trialIdx> <epoch ms>`) until the session ends; then
 * prints `done <WorkerResult + "calls": the durations of its store calls + "cpuMs": the CPU
 * time it used>` (or `done {"error"}`) and waits for the next line.
 */
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { joinSession, type CheckpointStore, type ObjectiveContext, type WorkerResult } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { timeCalls } from './store-timing.js'

/** Where the child's store is. */
export type ChildStore = { store: 'fs'; dir: string } | { store: 'dynamodb'; endpoint: string; tableName: string }

/** What `go` carries. */
export interface GoCommand {
  where: ChildStore
  sessionId: string
  sleepMs: number
  trialLeaseTtlMs?: number
  pollIntervalMs?: number
  /** False: the store is shown to the worker without `capabilities.reportAndClaim` (it reports, then claims, in two calls). */
  reportAndClaim?: false
  /** False: the store is shown to the worker without `watchSession` (it finds new heads by polling alone). */
  watch?: false
}

/** Opens the store; the DynamoDB one (and its SDK, slow to load) only when asked for. */
async function openStore(c: ChildStore): Promise<CheckpointStore> {
  if (c.store === 'fs') return createFsStore({ dir: c.dir })
  const [{ createDynamoDbStore }, { localClientConfig }] = await Promise.all([
    import('@cairn/store-dynamodb'),
    import('@cairn/store-dynamodb/testing'),
  ])
  return createDynamoDbStore({ tableName: c.tableName, clientConfig: localClientConfig(c.endpoint) })
}

/** The store calls of a worker, timed. */
export const WORKER_CALLS = ['load', 'readTrialSlots', 'claimTrial', 'renewTrialClaim', 'reportTrialResult', 'reportAndClaimTrial'] as const

async function evaluate(store: CheckpointStore, go: GoCommand): Promise<WorkerResult> {
  const objective = async (c: { x: number }, ctx: ObjectiveContext): Promise<number> => {
    process.stdout.write(`start ${ctx.trialIdx} -1 ${Date.now()}\n`)
    await sleep(go.sleepMs, undefined, { signal: ctx.signal })
    process.stdout.write(`mark end ${ctx.trialIdx} ${Date.now()}\n`)
    return c.x * c.x
  }
  let shown = go.reportAndClaim === false ? withoutReportAndClaim(store) : store
  if (go.watch === false) shown = withoutWatch(shown)
  const worker = await joinSession(shown, go.sessionId, {
    objective,
    ...(go.trialLeaseTtlMs !== undefined ? { trialLeaseTtlMs: go.trialLeaseTtlMs } : {}),
    ...(go.pollIntervalMs !== undefined ? { pollIntervalMs: go.pollIntervalMs } : {}),
  })
  return worker.wait()
}

/** `store` declaring no `reportAndClaim`. */
function withoutReportAndClaim(store: CheckpointStore): CheckpointStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'capabilities') return { ...target.capabilities, reportAndClaim: false }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** `store` without `watchSession` (pollers find changes by polling alone). */
export function withoutWatch<S extends CheckpointStore>(store: S): S {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'watchSession') return undefined
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Wraps the report calls of `store` (in place) to print `mark reported <trialIdx> <epoch ms>` when one is accepted. */
function markReports(store: CheckpointStore): void {
  const target = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const name of ['reportTrialResult', 'reportAndClaimTrial']) {
    const original = target[name]
    if (typeof original !== 'function') continue
    target[name] = async (...args: unknown[]) => {
      const out = await original.apply(store, args)
      process.stdout.write(`mark reported ${(args[1] as { trialIdx: number }).trialIdx} ${Date.now()}\n`)
      return out
    }
  }
}

/** The stores opened so far (by `where`), their calls timed. */
const stores = new Map<string, { store: CheckpointStore; timing: ReturnType<typeof timeCalls> }>()

async function storeAt(where: ChildStore): Promise<{ store: CheckpointStore; timing: ReturnType<typeof timeCalls> }> {
  const key = JSON.stringify(where)
  let entry = stores.get(key)
  if (!entry) {
    const store = await openStore(where)
    entry = { store, timing: timeCalls(store, WORKER_CALLS) }
    markReports(store)
    stores.set(key, entry)
  }
  return entry
}

process.stdout.write('ready\n')
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...rest] = line.split(' ')
  if (command !== 'go') throw new Error(`bench worker: unknown command ${JSON.stringify(command)}`)
  let answer: unknown
  try {
    const go = JSON.parse(rest.join(' ')) as GoCommand
    const { store, timing } = await storeAt(go.where)
    timing.reset()
    const cpu = process.cpuUsage()
    const result = await evaluate(store, go)
    const used = process.cpuUsage(cpu)
    answer = { ...result, calls: timing.log, cpuMs: (used.user + used.system) / 1000 }
  } catch (err) {
    answer = { error: `${(err as Error).name}: ${(err as Error).message}` }
  }
  process.stdout.write(`done ${JSON.stringify(answer)}\n`)
}
for (const { store } of stores.values()) await store.close()
