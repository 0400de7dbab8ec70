import { LeaseLostError, startSession, type CheckpointStore, type Optimizer } from '@cairn/core'
import { JOB, SEED, quadratic, walk } from '../fixtures/job.js'

type Method =
  | 'create'
  | 'commit'
  | 'load'
  | 'readTrials'
  | 'list'
  | 'delete'
  | 'acquireLease'
  | 'renewLease'
  | 'releaseLease'
  | 'requestControl'
  | 'saveTrialProgress'
  | 'loadTrialProgress'
  | 'deleteTrialProgress'

/**
 * Fault injection: wraps a store so that `fault(method, args, callNo)` may throw, or return a
 * promise that replaces the call (e.g. one that never settles). Return undefined to pass through.
 * The trial-progress methods are there exactly when the inner store has them.
 */
export function faultyStore(
  inner: CheckpointStore,
  fault: (method: Method, args: unknown[], callNo: number) => Promise<never> | undefined | void,
): CheckpointStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = {}
  const wrap =
    (method: Method) =>
    async (...args: unknown[]): Promise<unknown> => {
      calls[method] = (calls[method] ?? 0) + 1
      const replaced = fault(method, args, calls[method] as number)
      if (replaced) return replaced
      return (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args)
    }
  const progress = (['saveTrialProgress', 'loadTrialProgress', 'deleteTrialProgress'] as const).filter((m) => inner[m] !== undefined)
  return {
    ...Object.fromEntries(progress.map((m) => [m, wrap(m)])),
    specificationVersion: inner.specificationVersion,
    get capabilities() {
      return inner.capabilities
    },
    calls,
    create: wrap('create'),
    commit: wrap('commit'),
    load: wrap('load'),
    readTrials: wrap('readTrials'),
    list: wrap('list'),
    delete: wrap('delete'),
    acquireLease: wrap('acquireLease'),
    renewLease: wrap('renewLease'),
    releaseLease: wrap('releaseLease'),
    requestControl: wrap('requestControl'),
    close: () => inner.close(),
  } as CheckpointStore & { calls: Record<string, number> }
}

/** A promise that never settles: a hung network call. */
export function hang(): Promise<never> {
  return new Promise<never>(() => {})
}

/** Options of `plantOrphan`. */
export interface OrphanOptions {
  sessionId: string
  /** Trials the worker commits before it dies. */
  trialsDone: number
  maxTrials: number
  seed?: number
  /** The job recorded in the head; `null` records none. Default `quadratic`. */
  job?: string | null
  optimizer?: Optimizer<any>
}

/**
 * Leaves behind what a worker killed mid-trial leaves: a `running` session that committed
 * `trialsDone` trials, whose lease has lapsed. (In process: the worker's store "dies" after its
 * last commit, then the lapse is made immediate by releasing the lease as the dead owner.)
 */
export async function plantOrphan(store: CheckpointStore, o: OrphanOptions): Promise<void> {
  let committed = 0
  const dying = faultyStore(store, (method, args) => {
    if (method === 'commit') {
      if (committed >= o.trialsDone) return Promise.reject(new LeaseLostError(o.sessionId, 'simulated worker death'))
      committed += (args[1] as { trials: unknown[] }).trials.length
    }
    if (method === 'renewLease' && committed >= o.trialsDone)
      return Promise.reject(new LeaseLostError(o.sessionId, 'simulated worker death'))
    return undefined
  })
  const handle = await startSession({
    store: dying,
    sessionId: o.sessionId,
    optimizer: o.optimizer ?? walk,
    objective: quadratic(0),
    seed: o.seed ?? SEED,
    maxTrials: o.maxTrials,
    owner: 'dead-worker',
    leaseTtlMs: 60_000,
    ...(o.job === null ? {} : { job: o.job ?? JOB }),
  })
  await handle.wait().catch(() => undefined)
  const lease = await store.acquireLease(o.sessionId, 'dead-worker', 60_000)
  await store.releaseLease(o.sessionId, lease)
}

/** Checks the trial log is exactly 0..n-1 with `attempts === n`; returns the candidates. */
export async function trialLog(
  store: CheckpointStore,
  sessionId: string,
): Promise<{ indices: number[]; candidates: unknown[]; attempts: number; status: string }> {
  const head = await store.load(sessionId)
  const trials = await store.readTrials(sessionId)
  return {
    indices: trials.map((t) => t.trialIdx),
    candidates: trials.map((t) => t.candidate),
    attempts: head.progress.attempts,
    status: head.status,
  }
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
