/**
 * Child process of the multi-process store tests. Opens the store through the fixture's
 * child module and either commits in a tight loop (until SIGKILLed), races another child
 * to commit the same session, or races other children to claim (and report) the same trial
 * slots. Speaks JSON lines on stdout.
 */
import type { CheckpointStore } from '@cairn/core'
import { makeTrial, nextHead } from '../helpers/head.js'
import { patternBytes } from '../helpers/progress-bytes.js'
import { openChildStore, runChild, say } from './child-io.js'
import type { StoreChildConfig } from './protocol.js'

const describeError = (err: unknown): { code: unknown; name: unknown; message: unknown } => {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null
  return { code: e?.code, name: e?.name, message: e?.message }
}

/** Lines received on stdin so far, and who waits for how many. */
let linesIn = 0
const lineWaiters: Array<{ n: number; resolve: () => void }> = []
function onStdin(chunk: Buffer): void {
  for (const byte of chunk) if (byte === 0x0a) linesIn++
  for (const w of [...lineWaiters])
    if (linesIn >= w.n) {
      lineWaiters.splice(lineWaiters.indexOf(w), 1)
      w.resolve()
    }
}
/** Resolves once the parent has written `n` lines on stdin. */
function untilLines(n: number): Promise<void> {
  if (linesIn >= n) return Promise.resolve()
  return new Promise((resolve) => lineWaiters.push({ n, resolve }))
}
/** Resolves at the parent's first line on stdin ("go"). */
const started = untilLines(1)

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as StoreChildConfig
  // The parent holds our stdin open; when it goes away, so do we.
  process.stdin.on('end', () => process.exit(3))
  process.stdin.on('data', onStdin)
  const store = await openChildStore(config.module, config.args)
  if (config.mode === 'commit-loop') await commitLoop(store, config)
  else if (config.mode === 'race') await race(store, config)
  else if (config.mode === 'progress-loop') await progressLoop(store, config)
  else await claimRace(store, config)
}

/** The length of save `k` of a progress loop: spread over `[min, max]`, different from one save to the next. */
function progressLoopLength(k: number, min: number, max: number): number {
  return min + ((k * 7_919 * 1_009) % (max - min + 1))
}

/** Saves the trial's progress again and again (save k = `patternBytes(k, …)`), saying `{ saved: k }` after each, until SIGKILLed. */
async function progressLoop(store: CheckpointStore, config: Extract<StoreChildConfig, { mode: 'progress-loop' }>): Promise<void> {
  const { saveTrialProgress } = store
  if (!saveTrialProgress) throw new Error('[@cairn/testkit] the store has no saveTrialProgress')
  say({ ready: true })
  for (let k = 1; ; k++) {
    const bytes = patternBytes(k, progressLoopLength(k, config.minBytes, config.maxBytes))
    await saveTrialProgress.call(store, config.sessionId, config.trialIdx, config.token, bytes)
    say({ saved: k })
  }
}

async function commitLoop(store: CheckpointStore, config: Extract<StoreChildConfig, { mode: 'commit-loop' }>): Promise<void> {
  const lease = await store.acquireLease(config.sessionId, config.owner, config.ttlMs)
  let head = await store.load(config.sessionId)
  say({ ready: true, fencingToken: lease.fencingToken })
  for (;;) {
    const trials = [makeTrial(head.progress.attempts, { stats: { writer: process.pid } })]
    const next = nextHead(head, trials)
    const result = await store.commit(config.sessionId, {
      expectedRevision: head.revision,
      fencingToken: lease.fencingToken,
      head: next,
      trials,
    })
    head = { ...next, revision: result.revision }
    say({ committed: head.progress.attempts, revision: result.revision })
  }
}

async function race(store: CheckpointStore, config: Extract<StoreChildConfig, { mode: 'race' }>): Promise<void> {
  say({ ready: true })
  await started
  const wins: number[] = []
  let conflicts = 0
  const errors: Array<ReturnType<typeof describeError>> = []
  for (;;) {
    let head
    try {
      head = await store.load(config.sessionId)
    } catch (err) {
      errors.push(describeError(err))
      if (errors.length > 20) break
      continue
    }
    if (head.revision >= config.target) break
    const trials = [makeTrial(head.progress.attempts, { candidate: { writer: config.writer, revision: head.revision + 1 } })]
    try {
      const result = await store.commit(config.sessionId, {
        expectedRevision: head.revision,
        fencingToken: config.fencingToken,
        head: nextHead(head, trials),
        trials,
      })
      wins.push(result.revision)
    } catch (err) {
      if ((err as { code?: unknown }).code === 'REVISION_CONFLICT') conflicts++
      else {
        errors.push(describeError(err))
        if (errors.length > 20) break
      }
    }
  }
  say({ done: true, wins, conflicts, errors })
  await store.close()
}

/**
 * Claims the trials in rounds: round k starts at the parent's k-th line, so every racer asks
 * for the same trial at the same moment (the parent sends the next line once each answered).
 */
async function claimRace(store: CheckpointStore, config: Extract<StoreChildConfig, { mode: 'claim-race' }>): Promise<void> {
  const { claimTrial, reportTrialResult } = store
  if (!claimTrial || !reportTrialResult) throw new Error('[@cairn/testkit] the store has no claimTrial / reportTrialResult')
  say({ ready: true })
  const claimed: number[] = []
  const reported: number[] = []
  let refused = 0
  const errors: Array<ReturnType<typeof describeError>> = []
  for (const [round, trialIdx] of config.trials.entries()) {
    await untilLines(round + 1)
    let claim
    try {
      claim = await claimTrial.call(store, config.sessionId, { trialIdx, owner: config.owner, ttlMs: config.ttlMs })
    } catch (err) {
      if ((err as { code?: unknown }).code === 'TRIAL_CLAIMED') refused++
      else errors.push(describeError(err))
      say({ attempted: trialIdx })
      continue
    }
    claimed.push(trialIdx)
    try {
      await reportTrialResult.call(store, config.sessionId, claim, {
        candidate: { x: trialIdx },
        evaluation: { status: 'ok', score: trialIdx, stats: { owner: config.owner }, durationMs: 0 },
      })
      reported.push(trialIdx)
    } catch (err) {
      errors.push(describeError(err))
    }
    say({ attempted: trialIdx })
  }
  say({ done: true, claimed, reported, refused, errors })
  await store.close()
}

runChild(main)
