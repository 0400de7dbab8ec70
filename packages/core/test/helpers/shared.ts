import * as diagnostics from 'node:diagnostics_channel'
import {
  CHANNEL_NAMES,
  createMemoryStore,
  startSession,
  StoreIoError,
  type CheckpointStore,
  type MemoryStore,
  type Objective,
  type Optimizer,
  type TrialRecord,
} from '../../src/index.js'

/** A clock that runs with real time and jumps forward when told (claims and leases lapse without waiting). */
export function jumpingClock(): { now: () => number; advance: (ms: number) => void } {
  let offset = 0
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) }
}

/** A promise and the function that settles it. */
export function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void
  const wait = new Promise<void>((r) => (open = r))
  return { open, wait }
}

/**
 * Fault injection: `inner`, until `kill()` (or the commit that brings the trials committed
 * through it to `killAfterTrials`, which lands first): then every call rejects with a
 * `StoreIoError`, as a process cut off from its store would see. `readTrialSlots` calls are counted.
 */
export function killable(inner: MemoryStore, options: { killAfterTrials?: number } = {}) {
  let dead = false
  let committed = 0
  let slotReads = 0
  const store = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        if (dead) throw new StoreIoError('killable store', `${String(prop)} after the store was cut off`)
        if (prop === 'readTrialSlots') slotReads++
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        if (prop === 'commit') {
          committed += (args[1] as { trials: unknown[] }).trials.length
          if (options.killAfterTrials !== undefined && committed >= options.killAfterTrials) {
            dead = true
            throw new StoreIoError('killable store', 'cut off right after a commit landed')
          }
        }
        return result
      }
    },
  }) as CheckpointStore
  return {
    store,
    kill: () => void (dead = true),
    get slotReads() {
      return slotReads
    },
  }
}

/** A store like `inner` that does not declare shared evaluation (as LevelDB does not). */
export function unsharedStore(inner: MemoryStore): CheckpointStore {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'capabilities') return { ...target.capabilities, sharedEvaluation: false }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as CheckpointStore
}

/** Candidate and outcome of each stored trial, in order. */
export async function outcomes(store: CheckpointStore, sessionId: string) {
  return (await store.readTrials(sessionId)).map((t: TrialRecord) => ({
    trialIdx: t.trialIdx,
    candidate: t.candidate,
    status: t.status,
    score: t.score,
  }))
}

/** The trials of a local (in-process) run with the same optimizer, seed, parallelism and budget. */
export async function localRun(opts: {
  optimizer: Optimizer<any>
  objective: Objective
  seed: number
  parallelism: number
  maxTrials: number
}) {
  const store = createMemoryStore()
  const handle = await startSession({ store, ...opts })
  await handle.wait()
  return outcomes(store, handle.id)
}

/** Waits until `check` holds, polling the event loop (a safety-net timeout fails the test instead of hanging). */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** Trial indices committed in `sessionId`, in commit order, from the `cairn:session:trial` channel. */
export function committedTrials(sessionId: string): { indices: number[]; stop: () => void } {
  const indices: number[] = []
  const listener = (msg: unknown): void => {
    const m = msg as { sessionId: string; trial: TrialRecord }
    if (m.sessionId === sessionId) indices.push(m.trial.trialIdx)
  }
  diagnostics.subscribe(CHANNEL_NAMES.sessionTrial, listener)
  return { indices, stop: () => diagnostics.unsubscribe(CHANNEL_NAMES.sessionTrial, listener) }
}
