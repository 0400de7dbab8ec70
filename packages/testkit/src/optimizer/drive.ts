import { createMemoryStore, resumeSession, startSession } from '@cairn/core'
import type { CheckpointHead, Direction, DriveOptions, Json, Optimizer, SearchSpace, SessionHandle, TrialRecord } from '@cairn/core'
import { killableStore, type KillableStore } from '../helpers/killable-store.js'
import { settle } from '../helpers/outcome.js'
import { within } from '../helpers/time.js'
import { instrument, type EvalSetup } from './evaluation.js'

/** The lease owner every driver of a suite session uses, so a "restarted process" can re-acquire at once. */
export const SUITE_OWNER = 'testkit-optimizer-suite'
/** Guards against hangs (not speed checks): a driver must stop after its store died, a session must end. */
const STOP_GUARD_MS = 30_000
const RUN_GUARD_MS = 120_000

/** The part of a trial record determinism is about. */
export interface TrialKey {
  trialIdx: number
  candidate: Json
  candidateId?: string
  status: TrialRecord['status']
  score?: number
}

export function trialKeys(trials: readonly TrialRecord[]): TrialKey[] {
  return trials.map((t) => ({
    trialIdx: t.trialIdx,
    candidate: t.candidate,
    status: t.status,
    ...(t.candidateId !== undefined ? { candidateId: t.candidateId } : {}),
    ...(t.score !== undefined ? { score: t.score } : {}),
  }))
}

/** Everything a suite session needs. */
export interface SessionSpec {
  makeOptimizer: () => Optimizer<any>
  setup: EvalSetup
  space: SearchSpace | undefined
  direction: Direction | undefined
  seed: number
  trials: number
  parallelism?: number
}

/** How one driver of a run ends. */
export type Segment =
  /** The store dies right after the commit that brings the log to this many trials. */
  | { killAfterTrials: number }
  /** The store dies as soon as the session started, before any commit. */
  | { killAtStart: true }
  /**
   * The store dies inside the first evaluation that starts once `trials` trials are
   * committed; the evaluation then throws, or hangs (until the run is over).
   */
  | { killDuringTrial: number; mode: 'throw' | 'hang' }
  /** Runs to the end. */
  | { toEnd: true }

/** One objective (or program) call: which driver made it, with how many trials committed. */
export interface EvalCall {
  segment: number
  committed: number
  candidate: Json
}

/** What a run left in its store, and the evaluation calls it made. */
export interface RunResult {
  trials: TrialRecord[]
  head: CheckpointHead
  calls: EvalCall[]
  /** The calls inside which a `killDuringTrial` segment died. */
  killedIn: EvalCall[]
}

let sessionCounter = 0

/**
 * Runs one session on a fresh memory store, driver by driver: the first segment starts the
 * session, the others resume it, each through its own `killableStore` (a "process" of its
 * own, same lease owner), and every segment but the last dies as it says. The next segment
 * starts as soon as the store died; with `awaitDeadDrivers`, the run also waits until every
 * dead driver noticed and stopped (its `wait()` settled).
 */
export async function runSegments(
  spec: SessionSpec,
  segments: readonly Segment[],
  options: { awaitDeadDrivers?: boolean } = {},
): Promise<RunResult> {
  const inner = createMemoryStore()
  const sessionId = `suite-${process.pid}-${++sessionCounter}`
  const calls: EvalCall[] = []
  const killedIn: EvalCall[] = []
  const lingering: Array<{ release: () => void; ended: Promise<unknown> }> = []
  let offset = 0
  try {
    for (const [segmentIdx, segment] of segments.entries()) {
      let died: () => void = () => undefined
      const dead = new Promise<void>((resolve) => (died = resolve))
      const k: KillableStore = killableStore(inner, {
        ...('killAfterTrials' in segment ? { killAfterTrials: segment.killAfterTrials - offset } : {}),
        onCommit: () => queueMicrotask(() => k.dead && died()),
      })
      const base = offset
      let killedHere = false
      let release: () => void = () => undefined
      const hang = new Promise<void>((resolve) => (release = resolve))
      const setup = instrument(spec.setup, async (candidate) => {
        if (k.dead) return // a dead "process" records nothing more
        const call = { segment: segmentIdx, committed: base + k.trialsCommitted, candidate: structuredClone(candidate) }
        calls.push(call)
        if ('killDuringTrial' in segment && !killedHere && call.committed >= segment.killDuringTrial) {
          killedHere = true
          killedIn.push(call)
          k.kill()
          died()
          if (segment.mode === 'hang') await hang
          throw new Error('[@cairn/testkit] simulated crash during the evaluation')
        }
      })
      const drive: DriveOptions = {
        optimizer: spec.makeOptimizer(),
        ...setup,
        maxTrials: spec.trials,
        owner: SUITE_OWNER,
        ...(spec.parallelism !== undefined ? { parallelism: spec.parallelism } : {}),
      }
      const space = spec.space !== undefined ? { space: spec.space } : {}
      const handle: SessionHandle =
        segmentIdx === 0
          ? await startSession({
              ...drive,
              ...space,
              store: k.store,
              sessionId,
              seed: spec.seed,
              ...(spec.direction !== undefined ? { direction: spec.direction } : {}),
            })
          : await resumeSession(k.store, sessionId, { ...drive, ...space })
      if ('killAtStart' in segment) {
        k.kill()
        died()
      }
      if ('toEnd' in segment) {
        await within(handle.wait(), RUN_GUARD_MS, `session ${sessionId} did not finish`)
      } else {
        // Resume as soon as the store is dead: the dead driver can no longer reach it, so it
        // need not have noticed yet (it may still be retrying its last commit).
        const ended = settle(handle.wait())
        const first = await within(
          Promise.race([dead.then(() => 'died' as const), ended.then((o) => o)]),
          RUN_GUARD_MS,
          `session ${sessionId} never reached its planned crash`,
        )
        if (!k.dead)
          throw new Error(
            `[@cairn/testkit] session ${sessionId} ended (${JSON.stringify(first)}) before the planned crash; lower the crash points or raise trials`,
          )
        lingering.push({ release, ended })
      }
      offset = (await inner.load(sessionId)).progress.attempts
    }
    return { trials: await inner.readTrials(sessionId), head: await inner.load(sessionId), calls, killedIn }
  } finally {
    // Let hung evaluations return: their drivers find the store dead and stop.
    for (const l of lingering) l.release()
    const stopped = Promise.all(lingering.map((l) => l.ended))
    if (options.awaitDeadDrivers) await within(stopped, STOP_GUARD_MS, `a driver of ${sessionId} did not stop after its store died`)
  }
}

/** An uninterrupted run. */
export function runStraight(spec: SessionSpec): Promise<RunResult> {
  return runSegments(spec, [{ toEnd: true }])
}
