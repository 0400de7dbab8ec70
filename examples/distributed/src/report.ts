import { writeSync } from 'node:fs'
import type { CheckpointStore, CommitRequest } from '@cairn/core'

/** Writes one JSON line on stdout, synchronously (so it is out before a SIGKILL can land). */
export function say(message: unknown): void {
  writeSync(1, `${JSON.stringify(message)}\n`)
}

/** A commit that landed, as the processes report it. */
export interface CommitReport {
  by: string
  sessionId: string
  trials: number[]
  fencingToken: number
  revision: number
}

/**
 * Wraps a store so that every commit that landed is reported on stdout with the trials it
 * carried and the fencing token it was made under — the example's way of showing who did what.
 */
export function reportingStore<S extends CheckpointStore>(store: S, by: string): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (sessionId: string, request: CommitRequest) => {
          const result = await target.commit(sessionId, request)
          const commit: CommitReport = {
            by,
            sessionId,
            trials: request.trials.map((t) => t.trialIdx),
            fencingToken: request.fencingToken,
            revision: result.revision,
          }
          say({ commit })
          return result
        }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
