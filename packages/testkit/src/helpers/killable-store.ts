import type { CheckpointStore, CommitRequest, CommitResult } from '@cairn/core'

/**
 * The failure a killed `killableStore` gives every caller: the store stands for a process
 * that died, so it is deliberately not a `CairnError` (it mimics an I/O failure, not a
 * refusal the driver could reason about).
 */
export class SimulatedCrash extends Error {
  constructor(what: string) {
    super(`[@cairn/testkit] simulated crash: ${what}`)
    this.name = 'SimulatedCrash'
  }
}

/** What `killableStore` returns. */
export interface KillableStore {
  /** The wrapper to hand to the session driver. */
  readonly store: CheckpointStore
  /** True once killed: every call then rejects with `SimulatedCrash`. */
  readonly dead: boolean
  /** Trial records committed through the wrapper so far. */
  readonly trialsCommitted: number
  /** Kills the store now. */
  kill(): void
}

/** Options of `killableStore`. */
export interface KillableStoreOptions {
  /**
   * Dies right after the commit that brings `trialsCommitted` to this number: that commit
   * lands in the inner store but its caller gets `SimulatedCrash`, as if the process died
   * before hearing back. Unset: only `kill()` kills.
   */
  killAfterTrials?: number
  /** Called after every commit that landed, before the wrapper decides whether to die. */
  onCommit?(info: { request: CommitRequest; result: CommitResult; trialsCommitted: number }): void
}

/**
 * Fault injection for crash tests: wraps a store so that it can "die" at a chosen trial
 * boundary. After death no call reaches the inner store, exactly like a killed process, and
 * the inner store is left as the crash left it: resume on the inner store to recover.
 *
 * @example
 * const inner = createMemoryStore()
 * const k = killableStore(inner, { killAfterTrials: 3 })
 * const h = await startSession({ store: k.store, optimizer, objective, owner: 'w' })
 * await h.wait().catch(() => {}) // rejects once the store "crashed"
 * await (await resumeSession(inner, h.id, { optimizer, objective, owner: 'w' })).wait()
 */
export function killableStore(inner: CheckpointStore, options: KillableStoreOptions = {}): KillableStore {
  let dead = false
  let trialsCommitted = 0
  const alive = (what: string): void => {
    if (dead) throw new SimulatedCrash(`${what} after the store was killed`)
  }
  const store: CheckpointStore = {
    specificationVersion: inner.specificationVersion,
    get capabilities() {
      return inner.capabilities
    },
    async create(head) {
      alive('create')
      return inner.create(head)
    },
    async commit(sessionId, request) {
      alive('commit')
      const result = await inner.commit(sessionId, request)
      trialsCommitted += request.trials.length
      options.onCommit?.({ request, result, trialsCommitted })
      if (options.killAfterTrials !== undefined && trialsCommitted >= options.killAfterTrials) {
        dead = true
        throw new SimulatedCrash(`died right after committing trial ${trialsCommitted - 1}`)
      }
      return result
    },
    async load(sessionId) {
      alive('load')
      return inner.load(sessionId)
    },
    async readTrials(sessionId, opts) {
      alive('readTrials')
      return inner.readTrials(sessionId, opts)
    },
    async list(filter) {
      alive('list')
      return inner.list(filter)
    },
    async delete(sessionId) {
      alive('delete')
      return inner.delete(sessionId)
    },
    async acquireLease(sessionId, owner, ttlMs) {
      alive('acquireLease')
      return inner.acquireLease(sessionId, owner, ttlMs)
    },
    async renewLease(sessionId, lease, ttlMs) {
      alive('renewLease')
      return inner.renewLease(sessionId, lease, ttlMs)
    },
    async releaseLease(sessionId, lease) {
      alive('releaseLease')
      return inner.releaseLease(sessionId, lease)
    },
    async requestControl(sessionId, request) {
      alive('requestControl')
      return inner.requestControl(sessionId, request)
    },
    // Trial progress, offered exactly when the inner store offers it (its capabilities say so).
    ...(inner.saveTrialProgress && inner.loadTrialProgress && inner.deleteTrialProgress
      ? {
          async saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array) {
            alive('saveTrialProgress')
            return inner.saveTrialProgress?.(sessionId, trialIdx, token, bytes)
          },
          async loadTrialProgress(sessionId: string, trialIdx: number) {
            alive('loadTrialProgress')
            return (await inner.loadTrialProgress?.(sessionId, trialIdx)) ?? null
          },
          async deleteTrialProgress(sessionId: string, trialIdx: number) {
            alive('deleteTrialProgress')
            return inner.deleteTrialProgress?.(sessionId, trialIdx)
          },
        }
      : {}),
    async close() {
      // Closing the wrapper never closes the inner store: the test still reads it.
    },
  }
  return {
    store,
    get dead() {
      return dead
    },
    get trialsCommitted() {
      return trialsCommitted
    },
    kill() {
      dead = true
    },
  }
}
