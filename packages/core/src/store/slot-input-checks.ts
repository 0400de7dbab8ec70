import { InvalidInputError } from '../errors.js'
import { describeValue } from '../input/options-schema.js'
import type { Evaluation } from '../optimizer/contract.js'
import { canonicalJson } from '../util/canonical-json.js'
import type { ClaimNextRequest, ClaimTrialRequest, TrialClaim, TrialResultReport } from './contract.js'
import { checkLeaseTtl, checkOwner } from './input-checks.js'
import { assertSessionId } from './session-id.js'

/**
 * The input checks of the trial-slot methods (`claimTrial`, `renewTrialClaim`,
 * `reportTrialResult`, `readTrialSlots`), written once like the others in `input-checks.ts`:
 * each throws `InvalidInputError` naming the field before the store reads or writes anything.
 */

/** The most trial indices one `readTrialSlots` call may ask for (a session's `parallelism` is at most 1,024). */
export const MAX_TRIAL_SLOTS_READ = 1024

/** A trial index: a non-negative safe integer. */
export function checkTrialIdx(trialIdx: unknown, field = 'trialIdx'): asserts trialIdx is number {
  if (!Number.isSafeInteger(trialIdx) || (trialIdx as number) < 0)
    throw new InvalidInputError(`must be a trial index (a non-negative integer), got ${describeValue(trialIdx)}`, field)
}

/** `claimTrial`'s arguments: a valid session id and `{ trialIdx, owner, ttlMs }`. */
export function checkClaimTrialRequest(sessionId: unknown, request: unknown): asserts request is ClaimTrialRequest {
  assertSessionId(sessionId)
  if (request === null || typeof request !== 'object')
    throw new InvalidInputError(`must be { trialIdx, owner, ttlMs }, got ${describeValue(request)}`, 'request')
  const r = request as Partial<ClaimTrialRequest>
  checkTrialIdx(r.trialIdx)
  checkOwner(r.owner)
  checkLeaseTtl(r.ttlMs)
}

/** A claim as `renewTrialClaim` / `reportTrialResult` take it: `{ trialIdx, owner, token, expiresAt }`. */
export function checkTrialClaim(claim: unknown, field = 'claim'): asserts claim is TrialClaim {
  if (claim === null || typeof claim !== 'object')
    throw new InvalidInputError(`must be a trial claim { trialIdx, owner, token, expiresAt }, got ${describeValue(claim)}`, field)
  const c = claim as Partial<TrialClaim>
  checkTrialIdx(c.trialIdx, `${field}.trialIdx`)
  checkOwner(c.owner, `${field}.owner`)
  if (!Number.isSafeInteger(c.token) || (c.token as number) < 1)
    throw new InvalidInputError(`must be a positive integer, got ${describeValue(c.token)}`, `${field}.token`)
  if (typeof c.expiresAt !== 'number' || !Number.isFinite(c.expiresAt))
    throw new InvalidInputError(`must be a finite number (epoch ms), got ${describeValue(c.expiresAt)}`, `${field}.expiresAt`)
}

/** `renewTrialClaim`'s arguments: a valid session id, a claim and a ttl. */
export function checkRenewTrialClaim(sessionId: unknown, claim: unknown, ttlMs: unknown): asserts claim is TrialClaim {
  assertSessionId(sessionId)
  checkTrialClaim(claim)
  checkLeaseTtl(ttlMs)
}

/**
 * `reportTrialResult`'s arguments: a valid session id, a claim, and a report whose `candidate`
 * is JSON and whose `evaluation` is one (`status` ok with a finite score, or error; a finite
 * `durationMs` ≥ 0; JSON `stats` and `artifact`; `error` as `{ name, message }`).
 */
export function checkTrialResultReport(sessionId: unknown, claim: unknown, report: unknown): asserts report is TrialResultReport {
  assertSessionId(sessionId)
  checkTrialClaim(claim)
  if (report === null || typeof report !== 'object')
    throw new InvalidInputError(`must be { candidate, evaluation }, got ${describeValue(report)}`, 'report')
  const r = report as Partial<TrialResultReport>
  checkJson(r.candidate, 'report.candidate')
  checkEvaluation(r.evaluation, 'report.evaluation')
}

/**
 * `reportAndClaimTrial`'s arguments: those of `reportTrialResult`, and `next` as
 * `{ trialIdxs: 1 to 1,024 trial indices, owner, ttlMs }`.
 */
export function checkReportAndClaim(sessionId: unknown, claim: unknown, report: unknown, next: unknown): asserts next is ClaimNextRequest {
  checkTrialResultReport(sessionId, claim, report)
  if (next === null || typeof next !== 'object')
    throw new InvalidInputError(`must be { trialIdxs, owner, ttlMs }, got ${describeValue(next)}`, 'next')
  const n = next as Partial<ClaimNextRequest>
  const idxs = n.trialIdxs
  if (!Array.isArray(idxs) || idxs.length === 0 || idxs.length > MAX_TRIAL_SLOTS_READ)
    throw new InvalidInputError(
      `must be an array of 1 to ${MAX_TRIAL_SLOTS_READ} trial indices, got ${describeValue(idxs)}`,
      'next.trialIdxs',
    )
  for (let i = 0; i < idxs.length; i++) checkTrialIdx(idxs[i], `next.trialIdxs.${i}`)
  checkOwner(n.owner, 'next.owner')
  checkLeaseTtl(n.ttlMs, 'next.ttlMs')
}

/** `readTrialSlots`' arguments: a valid session id and an array of at most 1,024 trial indices. */
export function checkReadTrialSlots(sessionId: unknown, trialIdxs: unknown): asserts trialIdxs is readonly number[] {
  assertSessionId(sessionId)
  if (!Array.isArray(trialIdxs) || trialIdxs.length > MAX_TRIAL_SLOTS_READ)
    throw new InvalidInputError(
      `must be an array of at most ${MAX_TRIAL_SLOTS_READ} trial indices, got ${describeValue(trialIdxs)}`,
      'trialIdxs',
    )
  for (let i = 0; i < trialIdxs.length; i++) checkTrialIdx(trialIdxs[i], `trialIdxs.${i}`)
}

/** An `Evaluation` as the session driver makes them. */
export function checkEvaluation(evaluation: unknown, field = 'evaluation'): asserts evaluation is Evaluation {
  if (evaluation === null || typeof evaluation !== 'object')
    throw new InvalidInputError(`must be an evaluation { status, score?, durationMs … }, got ${describeValue(evaluation)}`, field)
  const e = evaluation as Partial<Evaluation>
  if (e.status !== 'ok' && e.status !== 'error' && e.status !== 'pruned')
    throw new InvalidInputError(`must be "ok", "error" or "pruned", got ${describeValue(e.status)}`, `${field}.status`)
  if (e.values !== undefined) checkNumbers(e.values, `${field}.values`)
  if (e.constraints !== undefined) checkNumbers(e.constraints, `${field}.constraints`)
  if (e.attrs !== undefined) checkJson(e.attrs, `${field}.attrs`)
  if (e.retries !== undefined && (!Number.isSafeInteger(e.retries) || e.retries < 0))
    throw new InvalidInputError(`must be a non-negative integer, got ${describeValue(e.retries)}`, `${field}.retries`)
  if (e.score !== undefined || (e.status !== 'error' && e.values === undefined)) {
    if (typeof e.score !== 'number' || !Number.isFinite(e.score))
      throw new InvalidInputError(
        `must be a finite number${e.status !== 'error' ? ` when status is "${e.status}"` : ''}, got ${describeValue(e.score)}`,
        `${field}.score`,
      )
  }
  if (e.intermediate !== undefined) checkCurve(e.intermediate, `${field}.intermediate`)
  if (typeof e.durationMs !== 'number' || !Number.isFinite(e.durationMs) || e.durationMs < 0)
    throw new InvalidInputError(`must be a finite number of milliseconds ≥ 0, got ${describeValue(e.durationMs)}`, `${field}.durationMs`)
  if (e.stats !== undefined) checkJson(e.stats, `${field}.stats`)
  if (e.artifact !== undefined) checkJson(e.artifact, `${field}.artifact`)
  if (e.savedProgress !== undefined && e.savedProgress !== true)
    throw new InvalidInputError(`must be true when present, got ${describeValue(e.savedProgress)}`, `${field}.savedProgress`)
  if (e.errorClass !== undefined && typeof e.errorClass !== 'string')
    throw new InvalidInputError(`must be a string, got ${describeValue(e.errorClass)}`, `${field}.errorClass`)
  if (e.error !== undefined) {
    const err = e.error as Partial<NonNullable<Evaluation['error']>> | null
    if (err === null || typeof err !== 'object' || typeof err.name !== 'string' || typeof err.message !== 'string')
      throw new InvalidInputError(`must be { name, message } (strings), got ${describeValue(e.error)}`, `${field}.error`)
  }
}

/** An array of finite numbers (an evaluation's `values` or `constraints`). */
function checkNumbers(values: unknown, field: string): void {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new InvalidInputError(`must be an array of finite numbers, got ${describeValue(values)}`, field)
}

/** An evaluation's learning curve: `{ step, value }` items, steps non-negative integers increasing, values finite. */
function checkCurve(curve: unknown, field: string): void {
  if (!Array.isArray(curve)) throw new InvalidInputError(`must be an array of { step, value }, got ${describeValue(curve)}`, field)
  let last = -1
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i] as { step?: unknown; value?: unknown } | null
    const ok =
      p !== null &&
      typeof p === 'object' &&
      Number.isSafeInteger(p.step) &&
      (p.step as number) > last &&
      typeof p.value === 'number' &&
      Number.isFinite(p.value)
    if (!ok)
      throw new InvalidInputError(
        `must be { step, value } with a step above ${last} and a finite value, got ${describeValue(p)}`,
        `${field}.${i}`,
      )
    last = p.step as number
  }
}

function checkJson(value: unknown, field: string): void {
  if (value === undefined) throw new InvalidInputError('is required (JSON)', field)
  try {
    canonicalJson(value)
  } catch (err) {
    throw new InvalidInputError(`must be JSON (${(err as Error).message})`, field)
  }
}
