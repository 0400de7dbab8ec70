import { isConditional, type AskContext, type AskResult, type Json, type Rng, type Sampler } from '@cairn/core'
import { OPTIMIZER_IDS } from '../ids.js'
import { requireSpace } from '../common/require-space.js'
import { jsonStateCodec } from '../common/state-codec.js'
import { compileSpace, fromInternal, sampleUniform, type CompiledSpace } from '../space-math/index.js'
import { cellOf, isDiscrete } from './kernels.js'
import { truncNormal } from './normal.js'
import { JointParzen, type JointPoint } from './multivariate.js'
import { splitGroups } from './multi-objective.js'
import { scoreObservations } from './objectives.js'
import { rankKey, ranksBefore, type Observations } from './observations.js'
import { suggestConditional } from './groups.js'
import { TPE_NAME, tpeOptionsJson, type TpeConfig } from './options.js'
import { NumericParzen, categoricalProbs, pickWeighted } from './univariate.js'

/** The state of `tpe()`: nothing but a version tag. TPE is history-driven and the RNG lives in the session. */
export type TpeState = { v: 1 }

const isState = (v: unknown): v is TpeState => typeof v === 'object' && v !== null && (v as { v?: unknown }).v === 1

interface Groups {
  below: Uint32Array
  above: Uint32Array
  wBelow: Float64Array
  wAbove: Float64Array
}

/** The TPE sampler; `tpe()` wraps it with `askTell()`. */
export function tpeSampler(cfg: TpeConfig): Sampler<TpeState> {
  return {
    id: OPTIMIZER_IDS.tpe,
    capabilities: { deterministic: false, flatSpace: true, conditionalSpace: true, multiObjective: true, constraints: true },
    stateVersion: 1,
    options: tpeOptionsJson(cfg),
    init: (ctx) => {
      requireSpace(TPE_NAME, ctx)
      return { v: 1 }
    },
    ask: (state, ctx) => ask(cfg, state, ctx),
    ...jsonStateCodec(TPE_NAME, 1, isState),
  }
}

/** `inGroup`: a group of a conditional space, whose startup was decided on the whole history. */
function ask(cfg: TpeConfig, state: TpeState, ctx: AskContext, inGroup = false): AskResult<TpeState> {
  const space = requireSpace(TPE_NAME, ctx)
  if (!inGroup && isConditional(space)) {
    if (finishedCount(ctx.history) < cfg.nStartupTrials) return { kind: 'candidate', state, candidate: sampleUniform(space, ctx.rng) }
    return { kind: 'candidate', state, candidate: suggestConditional(space, ctx, (sub) => flatCandidate(ask(cfg, state, sub, true))) }
  }
  const cs = compileSpace(space)
  // Several objectives and constraints add loss vectors and violations (objectives.ts, multi-objective.ts).
  const scored = scoreObservations(cs, ctx, cfg.constantLiar ? ctx.pending : [])
  const obs = scored.obs
  // As Optuna 3.1: startup and the good-group size count finished trials, complete and pruned
  // (in-flight ones are never good).
  if ((!inGroup && obs.nFinished < cfg.nStartupTrials) || obs.nFinished === 0)
    return { kind: 'candidate', state, candidate: sampleUniform(space, ctx.rng) }
  const groups: Groups = splitGroups(cfg, scored)
  // Several objectives keep Optuna's prior weight and kernel widths unless given; a history with
  // pruned trials those and no local moves, unless given (options.ts).
  const model = scored.losses ? { ...cfg, ...cfg.multiObjective } : hasPruned(ctx.history) ? { ...cfg, ...cfg.pruned } : cfg
  // A local move starts from the best trial; with several objectives, from a good trial drawn by its hypervolume weight.
  if (model.localFraction > 0 && ctx.rng.next() < model.localFraction) {
    const centre = scored.losses ? groups.below[pickWeighted(groups.wBelow, ctx.rng)]! : bestOf(obs, groups.below)
    return { kind: 'candidate', state, candidate: suggestLocal(model, cs, obs, groups.below, centre, ctx.rng) }
  }
  const candidate = cfg.multivariate ? suggestJoint(model, cs, obs, groups, ctx.rng) : suggestIndependent(model, cs, obs, groups, ctx.rng)
  return { kind: 'candidate', state, candidate }
}

/** True when some trial of the history was pruned. */
function hasPruned(history: AskContext['history']): boolean {
  for (const t of history) if (t.status === 'pruned') return true
  return false
}

/** Finished trials the model could learn from (complete with a finite score, or pruned), as `collectObservations` counts them. */
function finishedCount(history: AskContext['history']): number {
  let n = 0
  for (const t of history) if (rankKey(t, 1)) n++
  return n
}

function flatCandidate(r: AskResult<TpeState>): Record<string, Json> {
  return r.kind === 'candidate' ? (r.candidate as Record<string, Json>) : {}
}

/** Univariate TPE: every dimension (name order) chosen on its own, best of `nEiCandidates` draws by l(x) / g(x). */
function suggestIndependent(cfg: TpeConfig, cs: CompiledSpace, obs: Observations, g: Groups, rng: Rng): Record<string, Json> {
  const out: Record<string, Json> = {}
  let jn = 0
  let jc = 0
  for (const dim of cs.dims) {
    if (dim.kind === 'categorical') {
      const col = obs.categorical[jc++]!
      const pb = categoricalProbs(dim.count, col, g.below, g.wBelow, cfg.priorWeight)
      const pa = categoricalProbs(dim.count, col, g.above, g.wAbove, cfg.priorWeight)
      let best = -1
      let bestScore = -Infinity
      for (let i = 0; i < cfg.nEiCandidates; i++) {
        const c = pickWeighted(pb, rng)
        const score = Math.log(pb[c]!) - Math.log(pa[c]!)
        if (score > bestScore || best < 0) {
          best = c
          bestScore = score
        }
      }
      out[dim.name] = dim.choices[best] as Json
      continue
    }
    const col = obs.numeric[jn++]!
    const l = new NumericParzen(dim, col, g.below, g.wBelow, cfg, cfg.bandwidthBelow)
    const gm = new NumericParzen(dim, col, g.above, g.wAbove, cfg)
    const discrete = isDiscrete(dim)
    const seen = discrete ? new Map<number, number>() : undefined
    let best = Number.NaN
    let bestScore = -Infinity
    for (let i = 0; i < cfg.nEiCandidates; i++) {
      const x = l.sample(rng)
      const v = fromInternal(dim, x)
      let score: number
      if (seen) {
        const known = seen.get(v)
        if (known !== undefined) score = known
        else {
          const [a, b] = cellOf(dim, v)
          score = Math.log(l.mass(a, b)) - Math.log(gm.mass(a, b))
          seen.set(v, score)
        }
      } else {
        score = Math.log(l.density(x)) - Math.log(gm.density(x))
      }
      if (score > bestScore || Number.isNaN(best)) {
        best = v
        bestScore = score
      }
    }
    out[dim.name] = best
  }
  return out
}

/** Multivariate TPE: `nEiCandidates` joint draws from l, the best by l(x) / g(x). */
function suggestJoint(cfg: TpeConfig, cs: CompiledSpace, obs: Observations, g: Groups, rng: Rng): Record<string, Json> {
  const l = new JointParzen(cs, obs, g.below, g.wBelow, cfg, cfg.bandwidthBelow)
  const gm = new JointParzen(cs, obs, g.above, g.wAbove, cfg)
  const nNum = cs.numeric.length
  const point: JointPoint = { numeric: new Float64Array(nNum), categorical: new Int32Array(cs.categorical.length) }
  const values = new Float64Array(nNum)
  const cells = new Float64Array(2 * nNum)
  const bestValues = new Float64Array(nNum)
  const bestCats = new Int32Array(cs.categorical.length)
  let bestScore = -Infinity
  for (let i = 0; i < cfg.nEiCandidates; i++) {
    l.sample(rng, point)
    for (let j = 0; j < nNum; j++) values[j] = fromInternal(cs.numeric[j]!, point.numeric[j]!)
    JointParzen.cells(cs, values, cells)
    const score = l.logDensity(point, cells) - gm.logDensity(point, cells)
    if (score > bestScore || i === 0) {
      bestScore = score
      bestValues.set(values)
      bestCats.set(point.categorical)
    }
  }
  const out: Record<string, Json> = {}
  let jn = 0
  let jc = 0
  for (const dim of cs.dims) {
    if (dim.kind === 'categorical') out[dim.name] = dim.choices[bestCats[jc++]!] as Json
    else out[dim.name] = bestValues[jn++]!
  }
  return out
}

/** The best of the good rows (one objective). */
function bestOf(obs: Observations, below: Uint32Array): number {
  let best = below[0]!
  for (const r of below) if (ranksBefore(obs, r, best)) best = r
  return best
}

/**
 * A local move: the good row `best`, each numeric dim moved by a truncated Gaussian as wide as
 * `localScale` times its distance to the nearest other good trial in that dim (at least
 * range / 1000); categoricals kept.
 */
function suggestLocal(
  cfg: TpeConfig,
  cs: CompiledSpace,
  obs: Observations,
  below: Uint32Array,
  best: number,
  rng: Rng,
): Record<string, Json> {
  const out: Record<string, Json> = {}
  let jn = 0
  let jc = 0
  for (const dim of cs.dims) {
    if (dim.kind === 'categorical') {
      out[dim.name] = dim.choices[obs.categorical[jc++]![best]!] as Json
      continue
    }
    const col = obs.numeric[jn++]!
    const x = col[best]!
    const range = dim.hi - dim.lo
    let near = Infinity
    for (const r of below) {
      if (r === best) continue
      const d = Math.abs(col[r]! - x)
      if (d > 0 && d < near) near = d
    }
    if (near === Infinity) near = range / 10
    let s = cfg.localScale * near
    if (s < range / 1000) s = range / 1000
    out[dim.name] = fromInternal(dim, truncNormal(x, s, dim.lo, dim.hi, rng.next()))
  }
  return out
}
