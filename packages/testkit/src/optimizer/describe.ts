import { assertCandidate, choice, float, Rng, SPECIFICATION_VERSION, space as makeSpace, startSession } from '@cairn/core'
import type { Optimizer } from '@cairn/core'
import { testIf, vitestRunner } from '../runner.js'
import { defaultConditionalSpace, defaultObjective, defaultSpace } from './defaults.js'
import { stepDirectly } from './direct.js'
import { runSegments, runStraight, trialKeys, type RunResult, type Segment, type SessionSpec } from './drive.js'
import { realProcessRun } from './durable.js'
import { instrument, type EvalSetup } from './evaluation.js'
import { runTwoObjectives } from './multi-objective.js'
import type { OptimizerSuiteOptions } from './options.js'

const SEED = 20_240_601
const SLOW = 120_000

/**
 * Registers the optimizer conformance suite: the declared specification version and
 * capabilities, state round trip, unknown state versions, same seed → same candidates,
 * different seeds differ (unless `capabilities.deterministic`), and the determinism rule
 * under crashes — killed at every trial boundary, killed mid-trial, and with
 * `parallelism: 3` (when `capabilities.sampler`) — each compared with an uninterrupted run.
 * With `capabilities.conditionalSpace`, the same over a conditional space (every candidate
 * holding exactly its active parameters); with a flat space but no such capability, a
 * conditional space is refused at start. With `capabilities.multiObjective`, the same rule with
 * two objectives (and a constraint when `capabilities.constraints`), the sampler driven
 * directly and resumed from its encoded state. With `durableStore` and `optimizerModule`, a real child process is SIGKILLed mid-run
 * and resumed. Sessions run through `startSession` / `resumeSession` on core's memory store.
 *
 * `factory` is called for every session (and every resume) of the suite.
 *
 * @example
 * describeOptimizer('tpe', () => tpe(), { trials: 20 })
 * describeOptimizer('few-shot', () => fewShotSearch(), { program, trainset, metric })
 */
export function describeOptimizer(name: string, factory: () => Optimizer<any>, options: OptimizerSuiteOptions = {}): void {
  const runner = options.runner ?? vitestRunner
  const { describe, test, expect } = runner
  const trials = options.trials ?? 12
  const capabilities = factory().capabilities
  const space = options.space ?? (capabilities?.flatSpace ? defaultSpace : undefined)
  const setup: EvalSetup = options.program
    ? {
        program: options.program,
        ...(options.trainset !== undefined ? { trainset: options.trainset } : {}),
        ...(options.valset !== undefined ? { valset: options.valset } : {}),
        ...(options.metric !== undefined ? { metric: options.metric } : {}),
      }
    : { objective: options.objective ?? defaultObjective }
  // Parallel runs finish evaluations out of order (random 0–5 ms pauses): results must not
  // depend on completion order, since trials are told in index order.
  const jittered = instrument(setup, () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 6))))
  const spec = (seed = SEED, parallelism?: number): SessionSpec => ({
    makeOptimizer: factory,
    setup: parallelism !== undefined && parallelism > 1 ? jittered : setup,
    space,
    direction: options.direction,
    seed,
    trials,
    ...(parallelism !== undefined ? { parallelism } : {}),
  })
  // The uninterrupted run every crash test compares with, run once (the same seed gives the
  // same trials: that is the rule under test).
  let uninterruptedRun: Promise<RunResult> | undefined
  const uninterrupted = (): Promise<RunResult> => (uninterruptedRun ??= runStraight(spec()))
  const same = (label: Record<string, unknown>, got: RunResult, want: RunResult): void => {
    expect({ ...label, trials: trialKeys(got.trials) }).toEqual({ ...label, trials: trialKeys(want.trials) })
    expect({ ...label, status: got.head.status, attempts: got.head.progress.attempts }).toEqual({
      ...label,
      status: want.head.status,
      attempts: want.head.progress.attempts,
    })
  }

  describe(`Optimizer conformance: ${name}`, () => {
    test(`declares specificationVersion "${SPECIFICATION_VERSION}" and its capabilities (sampler exactly when optimizer.sampler is set)`, () => {
      const o = factory()
      expect(o.specificationVersion).toBe(SPECIFICATION_VERSION)
      expect({
        deterministic: typeof o.capabilities?.deterministic,
        sampler: typeof o.capabilities?.sampler,
        flatSpace: typeof o.capabilities?.flatSpace,
      }).toEqual({ deterministic: 'boolean', sampler: 'boolean', flatSpace: 'boolean' })
      expect({ samplerCapability: o.capabilities.sampler }).toEqual({ samplerCapability: o.sampler !== undefined })
    })

    test('has a non-empty id, a non-negative integer stateVersion, and the four methods', () => {
      const o = factory()
      expect(typeof o.id).toBe('string')
      expect(o.id.length).toBeGreaterThan(0)
      expect(Number.isSafeInteger(o.stateVersion) && o.stateVersion >= 0).toBe(true)
      for (const m of ['init', 'step', 'encodeState', 'decodeState'] as const) expect(typeof o[m]).toBe('function')
    })

    test('state round trip: a decoded state proposes the same next candidates, and re-encodes to the same bytes', async () => {
      const direct = {
        seed: SEED,
        steps: Math.min(trials, 8),
        direction: options.direction ?? (options.program ? 'maximize' : 'minimize'),
        space,
        setup,
      } as const
      const plain = await stepDirectly(factory(), direct)
      const o = factory()
      const roundTripped = await stepDirectly(o, {
        ...direct,
        between(state) {
          const bytes = o.encodeState(state)
          expect(bytes).toBeInstanceOf(Uint8Array)
          const back = o.decodeState(bytes, o.stateVersion)
          expect(o.encodeState(back)).toEqual(bytes)
          return back
        },
      })
      expect(plain.length).toBeGreaterThan(0)
      expect(roundTripped).toEqual(plain)
    })

    test('decodeState with an unknown state version throws', async () => {
      const o = factory()
      const state = await o.init({ seed: SEED, rng: Rng.fromSeed(SEED), direction: options.direction ?? 'minimize', space, history: [] })
      const bytes = o.encodeState(state)
      for (const version of [o.stateVersion + 1, o.stateVersion + 1000]) expect(() => o.decodeState(bytes, version)).toThrow()
    })

    test(
      'same seed → same candidates (two sessions through startSession)',
      async () => {
        const a = await uninterrupted()
        const b = await runStraight(spec())
        expect(a.trials.length).toBeGreaterThan(0)
        same({ run: 'second' }, b, a)
      },
      SLOW,
    )

    testIf(
      runner,
      { ok: !capabilities?.deterministic, what: 'a seeded optimizer, capabilities.deterministic is set' },
      'different seeds → different candidates',
      async () => {
        const a = await runStraight(spec(1))
        const b = await runStraight(spec(2))
        expect(a.trials.map((t) => t.candidate)).not.toEqual(b.trials.map((t) => t.candidate))
      },
      SLOW,
    )

    test(
      'killed at each trial boundary (one crash per run) and resumed → exactly the uninterrupted trials',
      async () => {
        const reference = await uninterrupted()
        const n = reference.trials.length
        for (let k = 0; k < n; k++) {
          const segments: Segment[] = [k === 0 ? { killAtStart: true } : { killAfterTrials: k }, { toEnd: true }]
          same({ crashAfterTrial: k }, await runSegments(spec(), segments), reference)
        }
      },
      SLOW,
    )

    test(
      'killed at every trial boundary of one session, resumed each time → exactly the uninterrupted trials',
      async () => {
        const reference = await uninterrupted()
        const n = reference.trials.length
        const segments: Segment[] = [{ killAtStart: true }]
        for (let k = 1; k < n; k++) segments.push({ killAfterTrials: k })
        segments.push({ toEnd: true })
        // Also: every dead driver notices its store is gone and stops.
        same({ crashes: segments.length - 1 }, await runSegments(spec(), segments, { awaitDeadDrivers: true }), reference)
      },
      SLOW,
    )

    for (const mode of ['throw', 'hang'] as const) {
      const how = mode === 'throw' ? 'throws' : 'never returns'
      test(
        `killed mid-trial (the evaluation ${how}, nothing committed) → resume reruns the trial in flight with the same candidate`,
        async () => {
          const reference = await uninterrupted()
          const n = reference.trials.length
          const candidatesOf = (calls: RunResult['calls']) => calls.map((c) => c.candidate)
          for (const m of [...new Set([0, Math.floor(n / 2), n - 1])]) {
            const run = await runSegments(spec(), [{ killDuringTrial: m, mode }, { toEnd: true }])
            same({ killedInTrial: m }, run, reference)
            const killed = run.killedIn[0]
            expect(killed?.committed).toBe(m)
            const inFlight = candidatesOf(reference.calls.filter((c) => c.committed === m))
            expect(inFlight).toContainEqual(killed?.candidate)
            const rerun = candidatesOf(run.calls.filter((c) => c.segment === 1 && c.committed === m))
            expect({ trial: m, rerun }).toEqual({ trial: m, rerun: inFlight })
          }
        },
        SLOW,
      )
    }

    testIf(
      runner,
      { ok: Boolean(capabilities?.sampler), what: 'capabilities.sampler (an askTell() optimizer)' },
      'parallelism 3: killed and resumed at several boundaries → the same trials as an uninterrupted parallel run',
      async () => {
        const reference = await runStraight(spec(SEED, 3))
        const n = reference.trials.length
        const again = await runStraight(spec(SEED, 3))
        same({ run: 'second parallel run' }, again, reference)
        const plans: Segment[][] = [
          [{ killAfterTrials: 2 }, { killAfterTrials: 5 }, { killAfterTrials: 9 }, { toEnd: true }],
          [{ killAtStart: true }, { killDuringTrial: 4, mode: 'throw' }, { killAfterTrials: 7 }, { toEnd: true }],
          [{ killAfterTrials: 1 }, { killDuringTrial: 3, mode: 'hang' }, { toEnd: true }],
        ]
        for (const [i, plan] of plans.entries()) {
          const fits = plan.every(
            (s) =>
              !('killAfterTrials' in s || 'killDuringTrial' in s) || ('killAfterTrials' in s ? s.killAfterTrials : s.killDuringTrial) < n,
          )
          if (!fits) continue
          same({ plan: i }, await runSegments(spec(SEED, 3), plan), reference)
        }
      },
      SLOW,
    )

    const conditional = options.conditionalSpace ?? defaultConditionalSpace
    testIf(
      runner,
      { ok: Boolean(capabilities?.conditionalSpace) && !options.program, what: 'capabilities.conditionalSpace' },
      'conditional space: valid candidates (active parameters only); killed at several boundaries and resumed → the uninterrupted trials',
      async () => {
        const condSpec = (): SessionSpec => ({
          ...spec(),
          setup: { objective: defaultObjective },
          space: conditional,
          trials: Math.max(trials, 12),
        })
        const reference = await runStraight(condSpec())
        expect(reference.trials.length).toBeGreaterThan(0)
        for (const t of reference.trials) assertCandidate(conditional, t.candidate)
        const n = reference.trials.length
        const plan: Segment[] = [{ killAtStart: true }]
        for (const k of [1, Math.floor(n / 2), n - 1]) if (k > 0 && k < n) plan.push({ killAfterTrials: k })
        plan.push({ toEnd: true })
        same({ conditional: 'kills', plan: plan.length }, await runSegments(condSpec(), plan), reference)
        same(
          { conditional: 'killed mid-trial' },
          await runSegments(condSpec(), [{ killDuringTrial: Math.floor(n / 2), mode: 'throw' }, { toEnd: true }]),
          reference,
        )
      },
      SLOW,
    )
    testIf(
      runner,
      {
        ok: Boolean(capabilities?.flatSpace) && !capabilities?.conditionalSpace,
        what: 'a flat-space optimizer without capabilities.conditionalSpace',
      },
      'a conditional space is refused at start (InvalidInputError on field space)',
      async () => {
        const s = makeSpace({ x: float(0, 1), c: choice({ a: {}, b: {} }) })
        const err = await startSession({ optimizer: factory(), objective: () => 0, space: s, maxTrials: 1 }).catch((e: unknown) => e)
        expect({ code: (err as { code?: unknown }).code, field: (err as { field?: unknown }).field }).toEqual({
          code: 'INVALID_INPUT',
          field: 'space',
        })
      },
    )
    testIf(
      runner,
      { ok: Boolean(capabilities?.multiObjective && capabilities?.sampler), what: 'capabilities.multiObjective (an askTell() optimizer)' },
      `two objectives${capabilities?.constraints ? ' and a constraint' : ''}: same seed → same candidates, and resumed after any trial from the encoded state → the same candidates`,
      async () => {
        const run = { seed: SEED, trials, space, constraints: Boolean(capabilities?.constraints) }
        const reference = await runTwoObjectives(factory, run)
        expect(reference.length).toBe(trials)
        expect(await runTwoObjectives(factory, run)).toEqual(reference)
        for (let k = 0; k < trials; k++)
          expect({ resumeAfter: k, candidates: await runTwoObjectives(factory, { ...run, resumeAfter: k }) }).toEqual({
            resumeAfter: k,
            candidates: reference,
          })
        if (!capabilities?.deterministic) expect(await runTwoObjectives(factory, { ...run, seed: SEED + 1 })).not.toEqual(reference)
      },
      SLOW,
    )

    const { durableStore, optimizerModule } = options
    testIf(
      runner,
      { ok: durableStore !== undefined && optimizerModule !== undefined, what: 'durableStore + optimizerModule' },
      'a real child process driving a session on a durable store, SIGKILLed twice and resumed → the uninterrupted trials',
      () => realProcessRun(runner, durableStore!, optimizerModule!, { seed: SEED, trials, space }),
      180_000,
    )
  })
}
