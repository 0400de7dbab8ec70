import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../src/index.js'
import {
  checkClaimTrialRequest,
  checkReadTrialSlots,
  checkRenewTrialClaim,
  checkReportAndClaim,
  checkTrialResultReport,
  MAX_TRIAL_SLOTS_READ,
} from '../src/store-kit.js'

const claim = { trialIdx: 3, owner: 'w1', token: 1, expiresAt: 1_000 }
const report = { candidate: { x: 1 }, evaluation: { status: 'ok', score: 2, durationMs: 5 } }
const next = { trialIdxs: [4], owner: 'w1', ttlMs: 30_000 }

/** The field an `InvalidInputError` names, or a failure when `run` does not throw one. */
function fieldOf(run: () => void): string | undefined {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError)
    return (err as InvalidInputError).field
  }
  throw new Error('expected an InvalidInputError')
}

describe('store-kit: input checks of the trial-slot methods', () => {
  test('well-formed arguments pass', () => {
    checkClaimTrialRequest('s1', { trialIdx: 0, owner: 'w1', ttlMs: 100 })
    checkRenewTrialClaim('s1', claim, 30_000)
    checkTrialResultReport('s1', claim, report)
    checkTrialResultReport('s1', claim, {
      candidate: [1, 'a'],
      evaluation: { status: 'error', durationMs: 0, error: { name: 'Error', message: 'boom' }, errorClass: 'objective' },
    })
    checkReadTrialSlots('s1', [])
    checkReadTrialSlots('s1', [0, 7, 7])
    checkReportAndClaim('s1', claim, report, { trialIdxs: [4, 5], owner: 'w1', ttlMs: 30_000 })
  })

  test.each([
    ['a bad session id', () => checkClaimTrialRequest('../x', { trialIdx: 0, owner: 'w', ttlMs: 1 }), 'sessionId'],
    ['no request', () => checkClaimTrialRequest('s1', null), 'request'],
    ['a negative index', () => checkClaimTrialRequest('s1', { trialIdx: -1, owner: 'w', ttlMs: 1 }), 'trialIdx'],
    ['a fractional index', () => checkClaimTrialRequest('s1', { trialIdx: 1.5, owner: 'w', ttlMs: 1 }), 'trialIdx'],
    ['an empty owner', () => checkClaimTrialRequest('s1', { trialIdx: 0, owner: '', ttlMs: 1 }), 'owner'],
    ['a zero ttl', () => checkClaimTrialRequest('s1', { trialIdx: 0, owner: 'w', ttlMs: 0 }), 'ttlMs'],
    ['a ttl past 24 h', () => checkClaimTrialRequest('s1', { trialIdx: 0, owner: 'w', ttlMs: 86_400_001 }), 'ttlMs'],
    ['a claim without token', () => checkRenewTrialClaim('s1', { ...claim, token: 0 }, 100), 'claim.token'],
    ['a claim without expiry', () => checkRenewTrialClaim('s1', { ...claim, expiresAt: Number.NaN }, 100), 'claim.expiresAt'],
    ['a claim that is no object', () => checkRenewTrialClaim('s1', 3, 100), 'claim'],
    ['a renewal without ttl', () => checkRenewTrialClaim('s1', claim, undefined), 'ttlMs'],
    ['a report without candidate', () => checkTrialResultReport('s1', claim, { evaluation: report.evaluation }), 'report.candidate'],
    ['a non-JSON candidate', () => checkTrialResultReport('s1', claim, { ...report, candidate: { x: Number.NaN } }), 'report.candidate'],
    [
      'an unknown status',
      () => checkTrialResultReport('s1', claim, { ...report, evaluation: { status: 'done', durationMs: 1 } }),
      'report.evaluation.status',
    ],
    [
      'ok without score',
      () => checkTrialResultReport('s1', claim, { ...report, evaluation: { status: 'ok', durationMs: 1 } }),
      'report.evaluation.score',
    ],
    [
      'a negative duration',
      () => checkTrialResultReport('s1', claim, { ...report, evaluation: { status: 'ok', score: 1, durationMs: -1 } }),
      'report.evaluation.durationMs',
    ],
    [
      'a malformed error',
      () => checkTrialResultReport('s1', claim, { ...report, evaluation: { status: 'error', durationMs: 1, error: 'boom' } }),
      'report.evaluation.error',
    ],
    ['indices that are no array', () => checkReadTrialSlots('s1', 3), 'trialIdxs'],
    [
      'too many indices',
      () =>
        checkReadTrialSlots(
          's1',
          Array.from({ length: MAX_TRIAL_SLOTS_READ + 1 }, (_, i) => i),
        ),
      'trialIdxs',
    ],
    ['a bad index among them', () => checkReadTrialSlots('s1', [0, -2]), 'trialIdxs.1'],
    ['a report and claim with a bad report', () => checkReportAndClaim('s1', claim, { candidate: 1 }, next), 'report.evaluation'],
    ['no next claim', () => checkReportAndClaim('s1', claim, report, null), 'next'],
    ['no next trials', () => checkReportAndClaim('s1', claim, report, { ...next, trialIdxs: [] }), 'next.trialIdxs'],
    [
      'too many next trials',
      () => checkReportAndClaim('s1', claim, report, { ...next, trialIdxs: Array.from({ length: MAX_TRIAL_SLOTS_READ + 1 }, (_, i) => i) }),
      'next.trialIdxs',
    ],
    ['a bad next trial', () => checkReportAndClaim('s1', claim, report, { ...next, trialIdxs: [4, 1.5] }), 'next.trialIdxs.1'],
    ['a bad next owner', () => checkReportAndClaim('s1', claim, report, { ...next, owner: '' }), 'next.owner'],
    ['a bad next ttl', () => checkReportAndClaim('s1', claim, report, { ...next, ttlMs: 0 }), 'next.ttlMs'],
  ])('%s is refused naming the field', (_what, run, field) => {
    expect(fieldOf(run)).toBe(field)
  })
})
