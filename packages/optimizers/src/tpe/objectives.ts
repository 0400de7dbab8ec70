import type { AskContext, Json, TrialView } from '@cairn/core'
import { directionsOf, lossesOf, violationOf } from '../multi-objective/losses.js'
import type { CompiledSpace } from '../space-math/index.js'
import { collectObservations, rankKey, type Observations } from './observations.js'

/**
 * Observations with what several objectives and constraints add: per finished row, its
 * losses (multi-objective sessions) and its total constraint violation.
 */
export interface ScoredObservations {
  obs: Observations
  /** Several objectives: one loss vector per finished row (minimized in every component). */
  losses?: Float64Array[]
  /** Constrained sessions (some trial carries constraints): the total violation of each row (pending rows: ∞). */
  violation?: Float64Array
}

/** The stage given to an infeasible row: after every feasible finished one (stages ≤ 1), before pending ones (∞). */
const INFEASIBLE_STAGE = 2

/**
 * Collects the TPE observations of a session (`collectObservations`), adding, as Optuna 3.1's
 * `_get_observation_pairs` does:
 * - several objectives (`ctx.directions`): complete trials with a loss vector each; pruned and
 *   in-flight trials are left out (Optuna's MOTPE does not use them);
 * - constraints (when any trial carries them): each row's total violation. With one objective,
 *   an infeasible row's rank key becomes `(2 + violation, loss)`, so the good group is filled
 *   by feasible trials first (by score), then by the least violation — Optuna's split with
 *   `constraints_func` — and a local move starts from the best feasible trial.
 * Sessions with one objective and no constraints get `collectObservations` unchanged.
 */
export function scoreObservations(cs: CompiledSpace, ctx: AskContext, pending: readonly { candidate: Json }[]): ScoredObservations {
  const directions = directionsOf(ctx)
  const multi = directions.length >= 2
  const constrained = ctx.history.some((t) => t.constraints !== undefined)
  if (!multi && !constrained) return { obs: collectObservations(cs, ctx.history, pending, ctx.direction) }
  const sign = ctx.direction === 'maximize' ? -1 : 1
  // Every usable trial goes to collectObservations as `ok` with its position in `kept` as its
  // score, so each finished row's loss names the trial it came from.
  const kept: TrialView[] = []
  const keys: [number, number][] = []
  const lossRows: Float64Array[] = []
  const tagged: TrialView[] = []
  for (const t of ctx.history) {
    if (multi) {
      const l = lossesOf(t, directions)
      if (!l) continue
      lossRows.push(l)
    } else {
      const key = rankKey(t, sign)
      if (!key) continue
      keys.push(key)
    }
    tagged.push({ trialIdx: t.trialIdx, candidate: t.candidate, status: 'ok', score: kept.length })
    kept.push(t)
  }
  const obs = collectObservations(cs, tagged, multi ? [] : pending, 'minimize')
  const losses: Float64Array[] = []
  const violation = constrained ? new Float64Array(obs.n).fill(Infinity) : undefined
  for (let r = 0; r < obs.nFinished; r++) {
    const j = obs.loss[r]!
    const v = violationOf(kept[j]!)
    if (violation) violation[r] = v
    if (multi) {
      losses.push(lossRows[j]!)
      obs.stage[r] = -Infinity
      obs.loss[r] = 0
    } else {
      const [stage, loss] = keys[j]!
      obs.stage[r] = v > 0 ? INFEASIBLE_STAGE + v : stage
      obs.loss[r] = loss
    }
  }
  return { obs, ...(multi ? { losses } : {}), ...(violation ? { violation } : {}) }
}
