import type { TrialRecord } from '@cairn/core'
import { numericValue, type ParamInfo } from './params.js'
import { logPossible, scoreAxis, type ScoreAxis } from './score-range.js'
import type { SessionModel } from './session-model.js'
import { isScored } from './trials.js'

/**
 * What the charts derive from a session's trials, computed once per model change and shared
 * (`SessionModel.memo`): with 10,000 trials and nine charts, each pass over the trials counts.
 */

/** The scored trials, in index order. */
export function scoredTrials(model: SessionModel): Array<TrialRecord & { score: number }> {
  return model.memo('scored', () => model.trials.filter(isScored))
}

/** The scores of `scoredTrials`. */
export function scores(model: SessionModel): number[] {
  return model.memo('scores', () => scoredTrials(model).map((t) => t.score))
}

/** True when the score axis can be log10 (every score positive). */
export function canLogScores(model: SessionModel): boolean {
  return model.memo('canLog', () => logPossible(scores(model)))
}

/** The score axis of the history and slice charts (and the parallel coordinates' score axis). */
export function sharedScoreAxis(model: SessionModel, options: { log: boolean; clip: boolean }): ScoreAxis | null {
  return model.memo(`axis:${options.log}:${options.clip}`, () => scoreAxis(scores(model), model.session.direction, options))
}

/** A trial by its index. */
export function trialByIdx(model: SessionModel): Map<number, TrialRecord> {
  return model.memo('byIdx', () => new Map(model.trials.map((t) => [t.trialIdx, t])))
}

/**
 * Each trial's value for `p` (`numericValue`: the choice's index for a categorical parameter),
 * NaN where it has none, in the order of `model.trials`.
 */
export function paramColumn(model: SessionModel, p: ParamInfo): Float64Array {
  return model.memo(`column:${p.name}`, () => {
    const out = new Float64Array(model.trials.length)
    model.trials.forEach((t, i) => {
      out[i] = numericValue(p, t.candidate) ?? Number.NaN
    })
    return out
  })
}
