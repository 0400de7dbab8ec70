import { askTell, InvalidInputError, type Json, type Optimizer, type Param, type Rng, type Sampler } from '@cairn/core'

/** Options of `hillClimb()`. */
export interface HillClimbOptions {
  /** Random candidates before climbing starts (default 4). */
  startupTrials?: number
  /** First step size, as a fraction of each dimension's range (default 0.25). */
  initialStep?: number
}

/**
 * The whole state. It stays small and bounded — the trials themselves come from the session
 * (`ctx.history`) — and it is plain JSON, so encoding it is one line.
 */
export interface HillClimbState {
  /** Step size as a fraction of each range: × 1.5 after an improvement, × 0.85 after a miss. */
  step: number
  /** Best score told so far (null until a trial succeeded). */
  best: number | null
  /** The session's direction, captured at `init` because `tell` does not receive it. */
  maximize: boolean
}

const STATE_VERSION = 1

/**
 * A seeded hill climber: a few random candidates, then Gaussian perturbations of the best
 * candidate so far, with a step size that grows on success and shrinks on failure (the
 * 1/5 success rule of evolution strategies). Every random number comes from `ctx.rng`, whose
 * state the session commits with each trial — that is what makes a resumed run propose the
 * same candidates as an uninterrupted one.
 */
export function hillClimber(options: HillClimbOptions = {}): Sampler<HillClimbState> {
  const startupTrials = options.startupTrials ?? 4
  const initialStep = options.initialStep ?? 0.25
  if (!Number.isSafeInteger(startupTrials) || startupTrials < 1)
    throw new InvalidInputError(`[my-org/hill-climber] startupTrials must be an integer ≥ 1, got ${startupTrials}`, 'startupTrials')
  if (!(initialStep > 0 && initialStep <= 1))
    throw new InvalidInputError(`[my-org/hill-climber] initialStep must be in (0, 1], got ${initialStep}`, 'initialStep')
  return {
    id: 'my-org/hill-climber',
    stateVersion: STATE_VERSION,
    options: { startupTrials, initialStep }, // stored with the session, for inspection
    // Seeded (different seeds, different candidates), over the session's flat search space.
    capabilities: { deterministic: false, flatSpace: true },
    init: (ctx) => ({ step: initialStep, best: null, maximize: ctx.direction === 'maximize' }),

    ask(state, ctx) {
      if (!ctx.space) throw new InvalidInputError('[my-org/hill-climber] needs a search space', 'space')
      const ok = ctx.history.filter((t) => t.status === 'ok' && t.score !== undefined)
      // The incumbent: best score, earliest on ties (a stable choice keeps runs reproducible).
      const incumbent = ok.reduce<(typeof ok)[number] | undefined>(
        (best, t) => (!best || better(state, t.score!, best.score!) ? t : best),
        undefined,
      )
      const climbing = incumbent !== undefined && ok.length >= startupTrials
      const candidate: Record<string, Json> = {}
      // Dimensions in name order, never declaration order: a space read back from a store may
      // have its keys reordered, and the RNG draws must come in the same order every time.
      for (const name of Object.keys(ctx.space.params).sort()) {
        const p = ctx.space.params[name] as Param
        const current = climbing ? (incumbent.candidate as Record<string, Json>)[name] : undefined
        candidate[name] = current === undefined ? draw(ctx.rng, p) : perturb(ctx.rng, p, current, state.step)
      }
      return { kind: 'candidate', state, candidate }
    },

    // Trials are told in trial-index order (also with parallelism > 1), so this is deterministic.
    tell(state, trial) {
      if (trial.status !== 'ok' || trial.score === undefined) return { ...state, step: Math.max(1e-3, state.step * 0.85) }
      const improved = state.best === null || better(state, trial.score, state.best)
      return {
        ...state,
        best: improved ? trial.score : state.best,
        step: improved ? Math.min(0.5, state.step * 1.5) : Math.max(1e-3, state.step * 0.85),
      }
    },

    encodeState: (state) => new TextEncoder().encode(JSON.stringify(state)),
    decodeState(bytes, version) {
      if (version !== STATE_VERSION)
        throw new InvalidInputError(`[my-org/hill-climber] unknown state version ${version}, expected ${STATE_VERSION}`, 'stateVersion')
      return JSON.parse(new TextDecoder().decode(bytes)) as HillClimbState
    },
  }
}

/** The optimizer: the sampler wrapped by core's `askTell()`. */
export function hillClimb(options?: HillClimbOptions): Optimizer<HillClimbState> {
  return askTell(hillClimber(options))
}

function better(state: HillClimbState, a: number, b: number): boolean {
  return state.maximize ? a > b : a < b
}

/** A uniform draw of one dimension (log dimensions uniformly in log space). */
function draw(rng: Rng, p: Param): Json {
  if (p.kind === 'categorical') return rng.pick(p.choices)
  return fromUnit(p, rng.next())
}

/** The incumbent's value moved by a Gaussian step in the dimension's unit interval. */
function perturb(rng: Rng, p: Param, current: Json, step: number): Json {
  if (p.kind === 'categorical') return rng.next() < step ? rng.pick(p.choices) : current
  let u = toUnit(p, current as number) + step * rng.normal()
  u = Math.abs(u) % 2 // reflect at the bounds instead of piling up on them
  return fromUnit(p, u > 1 ? 2 - u : u)
}

type NumericParam = Exclude<Param, { kind: 'categorical' }>

function toUnit(p: NumericParam, v: number): number {
  return p.log ? Math.log(v / p.low) / Math.log(p.high / p.low) : (v - p.low) / (p.high - p.low)
}

/** Maps u ∈ [0, 1] to a valid value: rounded for ints, snapped to `step`, clamped to the range. */
function fromUnit(p: NumericParam, u: number): number {
  let v = p.log ? p.low * (p.high / p.low) ** u : p.low + u * (p.high - p.low)
  if (p.step !== undefined) v = p.low + p.step * Math.min(Math.round((v - p.low) / p.step), Math.floor((p.high - p.low) / p.step))
  if (p.kind === 'int') v = Math.round(v)
  return Math.min(p.high, Math.max(p.low, v))
}
