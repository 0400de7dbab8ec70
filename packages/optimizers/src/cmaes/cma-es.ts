import {
  askTell,
  type AskContext,
  type AskResult,
  type InitContext,
  type Json,
  type Optimizer,
  type Rng,
  type Sampler,
  type TrialView,
} from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OPTIMIZER_IDS } from '../ids.js'
import { OptionReader, optionsJson } from '../common/options.js'
import { requireSpace } from '../common/require-space.js'
import { violationOf } from '../multi-objective/losses.js'
import { categoryIndex, compileSpace, fromInternal, type CompiledSpace } from '../space-math/index.js'
import { freshDistribution, sampleInCube, shouldStop, updateDistribution, type Distribution, type Ranked } from './es.js'
import {
  CMAES_STATE_VERSION,
  FAILED,
  INFEASIBLE,
  OK,
  PENDING,
  UNTRACKED,
  decodeCmaState,
  encodeCmaState,
  type CmaEliteEntry,
  type CmaEsState,
  type CmaMember,
} from './state.js'
import { defaultPopsize } from './strategy.js'

/** Options of `cmaEs()`. */
export interface CmaEsOptions {
  /**
   * Initial step size, in widths of the unit cube the numeric dimensions are mapped to
   * (default 1/6, as Optuna's `CmaEsSampler`: the initial distribution spans the range at ±3σ).
   */
  sigma0?: number
  /** Population size λ of the first run (default `4 + ⌊3 ln n⌋` for `n` numeric dimensions). */
  popsize?: number
  /**
   * `'ipop'` (default): when the run has converged or stalled (the `cmaes` library's
   * termination criteria), restart from a random point with the population multiplied by
   * `incPopsize`. `'none'`: keep going (Optuna's default).
   */
  restart?: 'ipop' | 'none'
  /** Population multiplier of each IPOP restart (default 2). */
  incPopsize?: number
  /** The population stops growing at this size, which keeps the state bounded (default 16 × the first popsize). */
  maxPopsize?: number
  /** The first `nStartupTrials` candidates are drawn uniformly at random (default 0). */
  nStartupTrials?: number
  /** Draws outside the bounds are redrawn up to this many times, then clipped (default 100). */
  maxResample?: number
  /**
   * Mirrored sampling (default true): every second candidate of a generation uses the
   * negated normal vector of the one before (Brockhoff, Auger, Hansen et al. 2010), which
   * speeds up convergence on small budgets. `false` draws every candidate independently.
   */
  mirrored?: boolean
  /**
   * Best-of-run recombination (default true): the best point of the current run takes part
   * in every update with its known score, ranked against the generation (without another
   * evaluation), its step clipped like an injected solution (Hansen 2011). Turn it off for
   * noisy objectives, where a lucky score would stay in the ranking.
   */
  elitist?: boolean
  /**
   * How categorical dimensions (which CMA-ES cannot model) are sampled, independently of each
   * other: `'elite'` (default) draws each choice in proportion to how often it appears among
   * the `eliteSize` best trials so far (plus one pseudo-count per choice), or uniformly with
   * probability `categoricalExploration`; `'uniform'` always draws uniformly.
   */
  categorical?: 'elite' | 'uniform'
  /** How many of the best trials the categorical model remembers (default 10). */
  eliteSize?: number
  /** Probability of a uniform categorical draw in `'elite'` mode (default 0.2). */
  categoricalExploration?: number
  /**
   * What a trial stopped early by the session's pruner (`status: 'pruned'`) counts for, as
   * Optuna's `CmaEsSampler(consider_pruned_trials=…)`. `false` (default): nothing — it leaves
   * its generation, which draws another candidate in its place. `true`: its last intermediate
   * value is taken as its score.
   */
  considerPrunedTrials?: boolean
}

export type { CmaEsState } from './state.js'

const NAME = 'cmaEs'
const ID = OPTIMIZER_IDS.cmaes

interface Resolved {
  sigma0: number
  popsize: number | undefined
  restart: 'ipop' | 'none'
  incPopsize: number
  maxPopsize: number | undefined
  nStartupTrials: number
  maxResample: number
  mirrored: boolean
  elitist: boolean
  categorical: 'elite' | 'uniform'
  eliteSize: number
  categoricalExploration: number
  considerPrunedTrials: boolean
}

function readOptions(options: CmaEsOptions | undefined): Resolved {
  const r = new OptionReader(NAME, options, [
    'sigma0',
    'popsize',
    'restart',
    'incPopsize',
    'maxPopsize',
    'nStartupTrials',
    'maxResample',
    'mirrored',
    'elitist',
    'categorical',
    'eliteSize',
    'categoricalExploration',
    'considerPrunedTrials',
  ])
  const restart = r.raw('restart') ?? 'ipop'
  if (restart !== 'ipop' && restart !== 'none') return r.fail('restart', '"ipop" or "none"')
  const categorical = r.raw('categorical') ?? 'elite'
  if (categorical !== 'elite' && categorical !== 'uniform') return r.fail('categorical', '"elite" or "uniform"')
  const popsize = r.raw('popsize') === undefined ? undefined : r.int('popsize', 0, 2, 1_000_000)
  const maxPopsize = r.raw('maxPopsize') === undefined ? undefined : r.int('maxPopsize', 0, 2, 1_000_000)
  return {
    sigma0: r.number('sigma0', 1 / 6, 0, 1e3, true),
    popsize,
    restart,
    incPopsize: r.number('incPopsize', 2, 1, 100),
    maxPopsize,
    nStartupTrials: r.int('nStartupTrials', 0, 0),
    maxResample: r.int('maxResample', 100, 1, 1_000_000),
    mirrored: r.bool('mirrored', true),
    elitist: r.bool('elitist', true),
    categorical,
    eliteSize: r.int('eliteSize', 10, 1, 100_000),
    categoricalExploration: r.number('categoricalExploration', 0.2, 0, 1),
    considerPrunedTrials: r.bool('considerPrunedTrials', false),
  }
}

/**
 * CMA-ES (Hansen's covariance matrix adaptation evolution strategy, as the `cmaes` library
 * behind Optuna's `CmaEsSampler`): weighted recombination with active negative weights,
 * cumulative step-size adaptation, rank-one and rank-μ covariance updates.
 *
 * - It works in the unit cube of the numeric dimensions: log dimensions on a log scale, ints
 *   and stepped floats widened by half a step and rounded (Optuna's transform). A draw that
 *   falls outside the cube is redrawn up to `maxResample` times, then clipped.
 * - A generation of λ candidates is asked one by one, so with `parallelism > 1` several of
 *   them are in flight; the update runs once all λ are told (in trial-index order). Candidates
 *   asked while the generation is full are carried over to the next one (their step clipped to
 *   a plausible Mahalanobis length, Hansen 2011). Failed trials rank as the generation's worst;
 *   pruned ones leave it (see `considerPrunedTrials`).
 * - IPOP restarts (default): when a run converges or stalls, a new one starts at a random
 *   point with twice the population.
 * - Categorical dimensions are sampled independently (see `categorical`).
 * - Constraints (`{ score, constraints }`): by penalty in rank space, not by rejection —
 *   Deb's feasibility rules inside each generation: feasible candidates rank first by score,
 *   infeasible ones after every feasible one by total violation Σ max(0, c), failed ones
 *   last; so an all-infeasible generation still moves toward feasibility. The best of the run
 *   (elitism) and the categorical model only take feasible trials. No candidate is rejected
 *   or redrawn: every asked candidate is evaluated.
 *
 * All randomness comes from the session's RNG, so a resumed session asks the same candidates.
 *
 * ```ts
 * await compile({ optimizer: cmaEs(), space: space({ x: float(-5, 10), y: float(0, 15) }), objective, maxTrials: 100 })
 * ```
 */
export function cmaEs(options?: CmaEsOptions): Optimizer<CmaEsState> {
  const o = readOptions(options)
  const sampler: Sampler<CmaEsState> = {
    id: ID,
    capabilities: { deterministic: false, flatSpace: true, constraints: true },
    stateVersion: CMAES_STATE_VERSION,
    options: optionsJson({
      sigma0: o.sigma0,
      popsize: o.popsize,
      restart: o.restart,
      incPopsize: o.incPopsize,
      maxPopsize: o.maxPopsize,
      nStartupTrials: o.nStartupTrials,
      maxResample: o.maxResample,
      mirrored: o.mirrored,
      elitist: o.elitist,
      categorical: o.categorical,
      eliteSize: o.eliteSize,
      categoricalExploration: o.categoricalExploration,
      // Recorded only when set, so sessions started before the option existed resume unchanged.
      considerPrunedTrials: o.considerPrunedTrials || undefined,
    }),
    init: (ctx) => initState(o, ctx),
    ask: (state, ctx) => ask(o, state, ctx),
    tell: (state, trial) => tell(o, state, trial),
    encodeState: encodeCmaState,
    decodeState: decodeCmaState,
  }
  return askTell(sampler)
}

function initState(o: Resolved, ctx: InitContext): CmaEsState {
  const compiled = compileSpace(requireSpace(NAME, ctx))
  const n = compiled.numeric.length
  const nCat = compiled.categorical.length
  const lambda0 = o.popsize ?? defaultPopsize(n)
  const dist = freshDistribution(n, lambda0, o.sigma0, new Float64Array(n).fill(0.5))
  const sign = ctx.direction === 'maximize' ? -1 : 1
  let elite: CmaEliteEntry[] = []
  if (nCat > 0) {
    // Warm-start trials seed the categorical model.
    for (const t of ctx.history) {
      if (t.status !== 'ok' || t.score === undefined || !Number.isFinite(t.score) || violationOf(t) > 0) continue
      const cats = candidateCats(compiled, t.candidate)
      if (cats) elite = addElite(elite, { score: sign * t.score, cats }, o.eliteSize)
    }
  }
  return {
    ...dist,
    nCat,
    sign,
    lambda0,
    restarts: 0,
    genId: 0,
    asks: 0,
    restartPending: 0,
    members: [],
    elite,
  }
}

function candidateCats(compiled: CompiledSpace, candidate: Json): Int32Array | undefined {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return undefined
  const c = candidate as Record<string, Json>
  const cats = new Int32Array(compiled.categorical.length)
  for (let j = 0; j < compiled.categorical.length; j++) {
    const idx = categoryIndex(compiled.categorical[j]!, c[compiled.categorical[j]!.name])
    if (idx < 0) return undefined
    cats[j] = idx
  }
  return cats
}

/** Inserts an entry, keeps the best `size` (ties: the earlier entry first). */
function addElite(elite: readonly CmaEliteEntry[], entry: CmaEliteEntry, size: number): CmaEliteEntry[] {
  const out = elite.slice()
  let at = out.length
  while (at > 0 && (out[at - 1] as CmaEliteEntry).score > entry.score) at--
  out.splice(at, 0, entry)
  if (out.length > size) out.length = size
  return out
}

function distributionOf(s: CmaEsState): Distribution {
  return {
    n: s.n,
    lambda: s.lambda,
    runGen: s.runGen,
    sigma0: s.sigma0,
    sigma: s.sigma,
    mean: s.mean,
    C: s.C,
    B: s.B,
    D: s.D,
    ps: s.ps,
    pc: s.pc,
    funhist: s.funhist,
    drawn: s.drawn,
    mirrorZ: s.mirrorZ,
    bestScore: s.bestScore,
    bestX: s.bestX,
  }
}

function ask(o: Resolved, state: CmaEsState, ctx: AskContext): AskResult<CmaEsState> {
  const compiled = compileSpace(requireSpace(NAME, ctx))
  if (compiled.numeric.length !== state.n || compiled.categorical.length !== state.nCat)
    throw invalidInput(
      NAME,
      `the search space changed: the state has ${state.n} numeric and ${state.nCat} categorical dimensions, ` +
        `the space ${compiled.numeric.length} and ${compiled.categorical.length}`,
    )
  let s = state
  if (s.restartPending) s = restart(o, s, ctx.rng)
  const { n } = s
  const rng = ctx.rng
  let x: Float64Array
  let gen = UNTRACKED
  if (s.asks < o.nStartupTrials || n === 0) {
    x = new Float64Array(n)
    for (let i = 0; i < n; i++) x[i] = rng.next()
  } else {
    let current = 0
    let next = 0
    for (const m of s.members) {
      if (m.gen === s.genId) current++
      else if (m.gen === s.genId + 1) next++
    }
    gen = current < s.lambda ? s.genId : next < s.lambda ? s.genId + 1 : UNTRACKED
    if (gen === s.genId) {
      // Members of the generation being filled come in mirrored pairs.
      const mirror = o.mirrored && s.drawn % 2 === 1 ? s.mirrorZ : undefined
      const drawn = sampleInCube(distributionOf(s), rng, o.maxResample, mirror)
      x = drawn.x
      s = { ...s, drawn: s.drawn + 1, mirrorZ: drawn.z }
    } else {
      x = sampleInCube(distributionOf(s), rng, o.maxResample).x
    }
  }
  const cats = sampleCats(o, s, compiled, rng, s.asks < o.nStartupTrials)
  const candidate: Record<string, Json> = {}
  compiled.numeric.forEach((d, i) => {
    candidate[d.name] = fromInternal(d, d.lo + (x[i] as number) * (d.hi - d.lo))
  })
  compiled.categorical.forEach((d, j) => {
    candidate[d.name] = d.choices[cats[j] as number] as Json
  })
  const member: CmaMember = { trialIdx: ctx.trialIdx, gen, drawnGen: s.genId, status: PENDING, score: 0, x, cats }
  const keep = gen !== UNTRACKED || s.nCat > 0
  const members = s.members.filter((m) => m.trialIdx !== ctx.trialIdx)
  if (keep) members.push(member)
  return { kind: 'candidate', state: { ...s, asks: s.asks + 1, members }, candidate }
}

function sampleCats(o: Resolved, s: CmaEsState, compiled: CompiledSpace, rng: Rng, startup: boolean): Int32Array {
  const cats = new Int32Array(s.nCat)
  compiled.categorical.forEach((d, j) => {
    const k = d.count
    if (startup || o.categorical === 'uniform' || s.elite.length === 0 || rng.next() < o.categoricalExploration) {
      cats[j] = rng.int(0, k - 1)
      return
    }
    const weights = new Array<number>(k).fill(1)
    for (const e of s.elite) {
      const c = e.cats[j] as number
      if (c < k) weights[c] = (weights[c] as number) + 1
    }
    cats[j] = rng.weighted(weights)
  })
  return cats
}

/** Starts a new run (IPOP): a random mean, the initial step size, a larger population. */
function restart(o: Resolved, s: CmaEsState, rng: Rng): CmaEsState {
  const cap = Math.max(o.maxPopsize ?? 16 * s.lambda0, s.lambda0)
  const lambda = Math.max(2, Math.min(cap, Math.round(s.lambda * o.incPopsize)))
  const mean = new Float64Array(s.n)
  for (let i = 0; i < s.n; i++) mean[i] = rng.next()
  const dist = freshDistribution(s.n, lambda, o.sigma0, mean)
  // Members drawn from the old run no longer feed the update; pending ones still teach the categorical model.
  const members: CmaMember[] = s.nCat > 0 ? s.members.filter((m) => m.status === PENDING).map((m) => ({ ...m, gen: UNTRACKED })) : []
  return { ...s, ...dist, restarts: s.restarts + 1, restartPending: 0, members }
}

function tell(o: Resolved, state: CmaEsState, trial: TrialView): CmaEsState {
  const idx = state.members.findIndex((m) => m.trialIdx === trial.trialIdx)
  if (idx < 0) return state
  const member = state.members[idx] as CmaMember
  if (trial.status === 'pruned' && !o.considerPrunedTrials) {
    // Optuna's CmaEsSampler leaves pruned trials out: the generation waits for another candidate.
    const members = state.members.slice()
    members.splice(idx, 1)
    return { ...state, members }
  }
  const value = trial.status === 'pruned' ? (trial.intermediate?.[trial.intermediate.length - 1]?.value ?? trial.score) : trial.score
  const ok = trial.status !== 'error' && typeof value === 'number' && Number.isFinite(value)
  const violation = violationOf(trial)
  const score = ok ? (violation > 0 ? violation : state.sign * (value as number)) : 0
  let s: CmaEsState = state
  if (ok && violation === 0 && s.nCat > 0) s = { ...s, elite: addElite(s.elite, { score, cats: member.cats }, o.eliteSize) }
  const members = s.members.slice()
  if (member.gen === UNTRACKED || member.gen < s.genId || s.restartPending) {
    members.splice(idx, 1)
    return { ...s, members }
  }
  members[idx] = { ...member, status: ok ? (violation > 0 ? INFEASIBLE : OK) : FAILED, score }
  s = { ...s, members }
  return completeGenerations(o, s)
}

/** Runs the update for every generation whose λ members are all told. */
function completeGenerations(o: Resolved, state: CmaEsState): CmaEsState {
  let s = state
  for (;;) {
    if (s.restartPending) return s
    const current = s.members.filter((m) => m.gen === s.genId)
    if (current.length < s.lambda || current.some((m) => m.status === PENDING)) return s
    const rest = s.members.filter((m) => m.gen !== s.genId)
    const oks = current.filter((m) => m.status === OK)
    if (oks.length === 0 && !current.some((m) => m.status === INFEASIBLE)) {
      // Every candidate failed: nothing to learn; keep the distribution and draw a new generation.
      s = { ...s, genId: s.genId + 1, members: rest, drawn: 0 }
      continue
    }
    // Constraints by ranking (Deb's feasibility rules): feasible members by score, then
    // infeasible ones by total violation, then failed ones. Those after the feasible carry the
    // generation's worst feasible score (∞ when none is feasible, which never becomes the
    // run's best).
    let worst = oks.length > 0 ? -Infinity : Infinity
    for (const m of oks) if (m.score > worst) worst = m.score
    const klass = (status: number): number => (status === OK ? 0 : status === INFEASIBLE ? 1 : 2)
    const ranked: (Ranked & { klass: number; key: number; trialIdx: number })[] = current.map((m) => ({
      x: m.x,
      score: m.status === OK ? m.score : worst,
      injected: m.drawnGen !== m.gen,
      klass: klass(m.status),
      key: m.status === FAILED ? 0 : m.score,
      trialIdx: m.trialIdx,
    }))
    if (o.elitist && s.bestScore < Infinity && ranked.every((r) => s.bestScore < r.score))
      ranked.push({ x: s.bestX, score: s.bestScore, injected: true, klass: 0, key: s.bestScore, trialIdx: -1 })
    ranked.sort((a, b) => a.klass - b.klass || a.key - b.key || a.trialIdx - b.trialIdx)
    if (ranked.length > s.lambda) ranked.length = s.lambda
    const dist = updateDistribution(distributionOf(s), ranked)
    const broken = !Number.isFinite(dist.sigma) || dist.mean.some((v) => !Number.isFinite(v))
    const stop = broken || (o.restart === 'ipop' && shouldStop(dist))
    s = { ...s, ...(broken ? {} : dist), genId: s.genId + 1, members: rest, restartPending: stop ? 1 : 0 }
  }
}
