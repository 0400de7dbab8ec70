import type { TrialRecord } from '@cairn/core'
import type { SessionPageData, SessionView } from '../../src/index.js'

/** Options of a generated session. */
export interface FixtureOptions {
  trials: number
  sessionId?: string
  status?: SessionView['status']
  /** Add trials of a status Cairn does not write yet (`pruned`): the page must show them anyway. */
  withPruned?: boolean
  /**
   * Learning curves of this many steps: every trial reports intermediate values (rising to its
   * score); pruned trials stop after a few steps (score = their last value), failed ones midway.
   */
  curves?: number
  /** One trial scoring far below the rest (the convergence must stay readable). */
  withOutlier?: boolean
  seed?: number
  /** Epoch ms of trial 0; every trial takes 2 s. */
  startedAt?: number
  /**
   * A multi-objective session: accuracy (maximize) and the model's size (minimize), and with 3 its
   * depth (minimize); the finished trials carry `values` instead of a score.
   */
  objectives?: 2 | 3
  /** Trials report one constraint (`maxDepth - 8`: deeper than 8 is infeasible) and an attribute. */
  constrained?: boolean
}

/** Turns the finished trials of a fixture into a multi-objective (and maybe constrained) study. */
function asStudy(trials: TrialRecord[], options: FixtureOptions): void {
  for (const t of trials) {
    const c = t.candidate as { nEstimators: number; maxDepth: number }
    if (options.constrained) {
      t.constraints = [c.maxDepth - 8]
      t.attrs = { fold: t.trialIdx % 5 }
    }
    if (!options.objectives || t.status !== 'ok') continue
    const size = c.nEstimators * 2 ** c.maxDepth
    t.values = [t.score as number, size, ...(options.objectives === 3 ? [c.maxDepth] : [])]
    delete t.score
  }
}

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The search space of the quick start's random forest (examples/quickstart). */
export const FIXTURE_SPACE = {
  version: 1,
  params: {
    nEstimators: { kind: 'int', low: 3, high: 25, log: false },
    maxFeatures: { kind: 'float', low: 0.25, high: 1, log: false },
    maxDepth: { kind: 'int', low: 2, high: 10, log: false },
    minNumSamples: { kind: 'int', low: 2, high: 20, log: true },
    replacement: { kind: 'categorical', choices: [true, false] },
  },
}

/** An accuracy-like score: depth and features matter most, the number of trees a little, `replacement` not at all. */
function accuracy(c: { nEstimators: number; maxFeatures: number; maxDepth: number; minNumSamples: number }, noise: number): number {
  const depth = 1 - Math.exp(-(c.maxDepth - 1) / 2.2)
  const features = 1 - 0.35 * (c.maxFeatures - 0.7) ** 2
  const trees = 1 - 0.04 * Math.exp(-(c.nEstimators - 3) / 5)
  const leaves = 1 - 0.03 * Math.log2(c.minNumSamples / 2)
  return Math.min(0.995, 0.35 + 0.63 * depth * features * trees * leaves + noise)
}

/**
 * A session like the quick start's after `trials` trials of an optimizer that narrows in on the
 * best region (deterministic for a seed): a few failed trials, optionally pruned ones and one
 * far outlier.
 */
export function fixtureSession(options: FixtureOptions): SessionPageData {
  const random = rng(options.seed ?? 1)
  const startedAt = options.startedAt ?? Date.UTC(2025, 0, 1, 9)
  const sessionId = options.sessionId ?? 'quickstart'
  const trials: TrialRecord[] = []
  const steps = options.curves ?? 0
  let best: { idx: number; score: number } | null = null
  const best0 = { nEstimators: 18, maxFeatures: 0.7, maxDepth: 9, minNumSamples: 2 }
  for (let i = 0; i < options.trials; i++) {
    const focus = Math.min(0.85, i / Math.max(40, options.trials * 0.6))
    const near = random() < focus
    const pick = (low: number, high: number, centre: number, integer: boolean): number => {
      const v = near ? centre + (random() - 0.5) * (high - low) * 0.3 : low + random() * (high - low)
      const clamped = Math.min(high, Math.max(low, v))
      return integer ? Math.round(clamped) : Math.round(clamped * 1e4) / 1e4
    }
    const candidate = {
      nEstimators: pick(3, 25, best0.nEstimators, true),
      maxFeatures: pick(0.25, 1, best0.maxFeatures, false),
      maxDepth: pick(2, 10, best0.maxDepth, true),
      minNumSamples: Math.round(2 * 10 ** ((near ? random() * 0.3 : random()) * Math.log10(10))),
      replacement: random() < 0.5,
    }
    const durationMs = 400 + Math.round(random() * 1600)
    /** A learning curve of `n` steps rising towards `final` (the last value is `final` itself). */
    const curve = (final: number, n: number): Array<{ step: number; value: number }> => {
      const rate = 3 + random() * 4
      const start = 0.3 + random() * 0.1
      return Array.from({ length: n }, (_, k) => {
        const full = k === steps - 1 ? final : final - (final - start) * Math.exp((-rate * (k + 1)) / steps) + (random() - 0.5) * 0.01
        return { step: k, value: Math.round(full * 1e4) / 1e4 }
      })
    }
    if (i % 53 === 17) {
      trials.push({
        ...(steps > 0 ? { intermediate: curve(0.8, Math.max(1, Math.floor(steps / 2))) } : {}),
        trialIdx: i,
        candidate,
        status: 'error',
        durationMs,
        error: { name: 'Error', message: i % 2 ? 'did not converge' : 'out of memory <in fold 3>' },
        errorClass: 'objective',
      })
      continue
    }
    let score = Math.round(accuracy(candidate, (random() - 0.5) * 0.03) * 1e4) / 1e4
    if (options.withPruned && (i % 41 === 29 || (steps > 0 && i % 4 === 1 && score < 0.9))) {
      if (steps === 0) {
        trials.push({ trialIdx: i, candidate, status: 'pruned', durationMs })
        continue
      }
      const intermediate = curve(score, 2 + Math.floor(random() * Math.max(1, steps / 3)))
      const last = intermediate[intermediate.length - 1] as { value: number }
      trials.push({ trialIdx: i, candidate, status: 'pruned', score: last.value, durationMs, intermediate })
      continue
    }
    if (options.withOutlier && i === Math.floor(options.trials / 3)) score = -40
    trials.push({
      trialIdx: i,
      candidate,
      status: 'ok',
      score,
      durationMs,
      stats: { folds: 5 },
      ...(steps > 0 ? { intermediate: curve(score, steps) } : {}),
    })
    if (best === null || score > best.score) best = { idx: i, score }
  }
  asStudy(trials, options)
  const errors = trials.filter((t) => t.status === 'error').length
  const pruned = trials.filter((t) => t.status === 'pruned').length
  const session: SessionView = {
    sessionId,
    job: 'quickstart',
    status: options.status ?? 'completed',
    ...(options.status === undefined || options.status === 'completed' ? { terminalReason: 'max trials reached' } : {}),
    optimizer: { id: '@cairn/optimizers/tpe', stateVersion: 1 },
    optimizerOptions: { nStartupTrials: 8 },
    ...(options.withPruned && steps > 0
      ? { pruner: { id: '@cairn/optimizers/median-pruner', stateVersion: 1, options: { nStartupTrials: 5, nWarmupSteps: 2 } } }
      : {}),
    space: FIXTURE_SPACE,
    seed: 42,
    direction: 'maximize',
    ...(options.objectives === 2 ? { directions: ['maximize', 'minimize'] } : {}),
    ...(options.objectives === 3 ? { directions: ['maximize', 'minimize', 'minimize'] } : {}),
    createdAt: startedAt,
    updatedAt: startedAt + options.trials * 2000,
    progress: {
      attempts: trials.length,
      completed: trials.length - errors - pruned,
      errors,
      ...(options.withPruned ? { pruned } : {}),
      bestScore: options.objectives ? null : (best?.score ?? null),
      bestTrialIdx: options.objectives ? null : (best?.idx ?? null),
      startedAt,
    },
    limits: { maxTrials: options.trials, maxErrors: options.trials, trialTimeoutMs: null, parallelism: 1 },
    pending: [],
    warmStart: { source: 'none', exactKey: 'c0ffee00aa', seedKey: 'beef00ff11', seededTrials: 0 },
    trainsetHash: 'sha256:5d41402abc4b2a76b9719d911017c592',
    revision: trials.length + 1,
    lease: null,
    optimizerStateBytes: 2048 + trials.length * 24,
    workers: [],
    ...(best && !options.objectives ? { bestArtifact: { candidate: trials[best.idx]?.candidate ?? null, score: best.score } } : {}),
  }
  return { session, trials, live: false, readAt: session.updatedAt + 1000 }
}
