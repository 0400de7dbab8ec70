import { SPECIFICATION_VERSION, type Direction, type PruneContext, type Pruner, type PrunerTrialView } from '@cairn/core'
import { testIf, vitestRunner } from '../runner.js'
import { cloneContexts, contextsOver, deepFreeze, history, type ContextShape } from './contexts.js'
import type { PrunerSuiteOptions } from './options.js'

const DIRECTIONS: readonly Direction[] = ['minimize', 'maximize']

/**
 * Registers the pruner conformance suite: the declared specification version, id,
 * `stateVersion` and JSON `options`, the same for every instance; a pure decision (the same
 * answer for the same context — repeated, on a copy, from another instance, whatever was asked
 * in between); contexts left unchanged (a deeply frozen one is accepted); no pruning with an
 * empty history (unless `mayPruneWithoutHistory`); histories with `error` and `pruned` trials,
 * trials without curves and sparse steps; a 1,000-trial × 100-step history; and (unless
 * `prunesWorseTrials: false`) a trial far worse than all others is pruned.
 *
 * `factory` builds the pruner under test with fixed options; it is called several times.
 *
 * @example
 * describePruner('median', () => medianPruner())
 * describePruner('patient', () => patientPruner(null, { patience: 2 }), { mayPruneWithoutHistory: true })
 */
export function describePruner(name: string, factory: () => Pruner, options: PrunerSuiteOptions = {}): void {
  const runner = options.runner ?? vitestRunner
  const { describe, test, expect } = runner
  const shape = (direction: Direction, messy: boolean): ContextShape => ({ trials: 40, steps: 30, direction, messy })
  /** Contexts over clean and messy histories, both directions, every report of a few trials. */
  const contexts = (seed: number): PruneContext[] =>
    DIRECTIONS.flatMap((direction) =>
      [false, true].flatMap((messy) => {
        const s = shape(direction, messy)
        const hist = history(seed, s)
        return [0.2, 1, 2.5].flatMap((level, k) => contextsOver(seed + k, hist, s, level))
      }),
    )
  const answers = (p: Pruner, ctxs: readonly PruneContext[]): boolean[] => ctxs.map((c) => p.shouldPrune(c))

  describe(`Pruner conformance: ${name}`, () => {
    test(`declares specificationVersion "${SPECIFICATION_VERSION}", a non-empty id, a non-negative integer stateVersion and shouldPrune`, () => {
      const p = factory()
      expect(p.specificationVersion).toBe(SPECIFICATION_VERSION)
      expect(typeof p.id === 'string' && p.id.length > 0).toBe(true)
      expect(Number.isSafeInteger(p.stateVersion) && p.stateVersion >= 0).toBe(true)
      expect(typeof p.shouldPrune).toBe('function')
    })

    test('id, stateVersion and options are JSON, and the same for every instance the factory builds', () => {
      const info = (p: Pruner) => ({ id: p.id, stateVersion: p.stateVersion, options: p.options ?? null })
      const a = info(factory())
      expect(JSON.parse(JSON.stringify(a))).toEqual(a)
      expect(info(factory())).toEqual(a)
    })

    test('answers with a boolean, the same for the same context: repeated, on a copy, from another instance, whatever was asked in between', () => {
      const ctxs = contexts(11)
      const p = factory()
      const first = answers(p, ctxs)
      for (const a of first) expect(typeof a).toBe('boolean')
      // Repeated, in reverse order, after unrelated contexts.
      const unrelated = contexts(29)
      answers(p, unrelated)
      const reversed = answers(p, [...ctxs].reverse()).reverse()
      expect(reversed).toEqual(first)
      // Interleaved with unrelated contexts, each asked twice.
      const interleaved = ctxs.map((c, i) => {
        p.shouldPrune(unrelated[(i * 7) % unrelated.length]!)
        const x = p.shouldPrune(c)
        return p.shouldPrune(c) && x
      })
      expect(interleaved).toEqual(first)
      // Another instance, on copies.
      expect(answers(factory(), cloneContexts(ctxs))).toEqual(first)
    })

    test('does not change its context, and accepts a deeply frozen one', () => {
      const ctxs = contexts(5)
      const before = cloneContexts(ctxs)
      const got = answers(factory(), ctxs)
      // Each distinct history once, then each trial's own curve and fields.
      const histories = new Set(ctxs.map((c) => c.history))
      const beforeHistories = new Set(before.map((c) => c.history))
      expect([...histories]).toEqual([...beforeHistories])
      expect(ctxs.map(({ history: _, ...rest }) => rest)).toEqual(before.map(({ history: _, ...rest }) => rest))
      expect(answers(factory(), cloneContexts(before, deepFreeze))).toEqual(got)
    })

    testIf(
      runner,
      { ok: !options.mayPruneWithoutHistory, what: 'a rule that needs history to prune' },
      'never prunes with an empty history',
      () => {
        const p = factory()
        for (const direction of DIRECTIONS)
          for (const level of [0, 1, 100]) {
            const s = shape(direction, false)
            const ctxs = contextsOver(3, [], s, level)
            // Also a trial that gets worse at every step.
            const worse = ctxs.map((c) => ({ ...c, intermediate: c.intermediate.map((v) => ({ step: v.step, value: -v.value })) }))
            expect({ direction, level, pruned: [...answers(p, ctxs), ...answers(p, worse)].filter(Boolean).length }).toEqual({
              direction,
              level,
              pruned: 0,
            })
          }
      },
    )

    test('does not throw on histories with error and pruned trials, trials without curves, and sparse steps', () => {
      const p = factory()
      for (const direction of DIRECTIONS)
        for (const seed of [1, 2, 3]) {
          const s = shape(direction, true)
          const hist: PrunerTrialView[] = [
            ...history(seed, s),
            { trialIdx: 40, status: 'error', intermediate: [] },
            { trialIdx: 41, status: 'pruned', score: 1, intermediate: [{ step: 1_000_000, value: 1 }] },
            { trialIdx: 42, status: 'ok', intermediate: [] },
          ]
          for (const c of contextsOver(seed, hist, s, 1)) expect(typeof p.shouldPrune(c)).toBe('boolean')
          // A trial that reports sparse, large steps.
          const sparse: PruneContext = {
            trialIdx: hist.length,
            seed,
            direction,
            history: hist,
            intermediate: [
              { step: 0, value: 1 },
              { step: 17, value: 0.5 },
              { step: 4_096, value: 0.25 },
            ],
          }
          expect(typeof p.shouldPrune(sparse)).toBe('boolean')
        }
    })

    test('judges every report of a trial over a 1,000-trial × 100-step history', () => {
      const s: ContextShape = { trials: 1_000, steps: 100, direction: 'minimize', messy: true }
      const hist = history(7, s)
      const p = factory()
      let judged = 0
      for (const c of contextsOver(7, hist, s, 1)) {
        expect(typeof p.shouldPrune(c)).toBe('boolean')
        judged++
      }
      expect(judged).toBe(100)
    })

    testIf(
      runner,
      { ok: options.prunesWorseTrials !== false, what: 'a pruner that prunes' },
      'prunes a trial far worse than every history trial (and getting worse)',
      () => {
        const p = factory()
        for (const direction of DIRECTIONS) {
          const s: ContextShape = { trials: 60, steps: 100, direction, messy: false }
          const hist = history(13, s)
          const sign = direction === 'maximize' ? -1 : 1
          let pruned = 0
          for (let k = 0; k < 20; k++) {
            const trialIdx = hist.length + k
            for (let n = 1; n <= 100; n++) {
              const intermediate = Array.from({ length: n }, (_, step) => ({ step, value: sign * (100 + step) }))
              if (p.shouldPrune({ trialIdx, seed: 13, direction, intermediate, history: hist })) {
                pruned++
                break
              }
            }
          }
          expect({ direction, prunedSome: pruned > 0 }).toEqual({ direction, prunedSome: true })
        }
      },
    )
  })
}
