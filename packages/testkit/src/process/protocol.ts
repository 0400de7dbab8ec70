/** Configuration of the store child (`store-child.ts`), passed as one JSON argument. */
export type StoreChildConfig =
  | {
      mode: 'commit-loop'
      module: string
      args: string[]
      sessionId: string
      /** Lease owner the child acquires the session with. */
      owner: string
      ttlMs: number
    }
  | {
      mode: 'race'
      module: string
      args: string[]
      sessionId: string
      /** The fencing token of the lease both racers commit under. */
      fencingToken: number
      /** Stop once the head reaches this revision. */
      target: number
      /** Name recorded in every trial this child commits. */
      writer: string
    }
  | {
      mode: 'claim-race'
      module: string
      args: string[]
      sessionId: string
      /** The trials to claim, in this order; each one won is reported at once. */
      trials: number[]
      /** The claims' owner (one per child). */
      owner: string
      ttlMs: number
    }
  | {
      mode: 'progress-loop'
      module: string
      args: string[]
      sessionId: string
      trialIdx: number
      /** The token every save is made with. */
      token: number
      /** Each save is `patternBytes(k, n)` with n between `minBytes` and `maxBytes`, changing with k. */
      minBytes: number
      maxBytes: number
    }

/** Configuration of the session child (`session-child.ts`). */
export interface SessionChildConfig {
  mode: 'start' | 'resume'
  storeModule: string
  storeArgs: string[]
  optimizerModule: string
  optimizerArgs: string[]
  sessionId: string
  seed: number
  maxTrials: number
  owner: string
  /** Extra delay before every evaluation, so a kill lands mid-run. */
  delayMs: number
  /** Search space (JSON) when the optimizer module exports none. */
  space?: unknown
}
