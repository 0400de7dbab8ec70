/**
 * describePruner must fail for broken pruners, not only pass for good ones: each case breaks
 * one rule of a small correct pruner and checks that the suite test guarding that rule fails
 * while the rest still passes.
 */
import type { PruneContext, Pruner } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { describePruner } from '../src/index.js'
import { record, runMatching } from './fixtures/recording-runner.js'

/** Prunes a trial whose last value is worse than the mean of completed trials' values at that step. */
function meanRule(ctx: PruneContext): boolean {
  const last = ctx.intermediate[ctx.intermediate.length - 1]!
  const values: number[] = []
  for (const t of ctx.history) {
    if (t.status !== 'ok') continue
    const p = t.intermediate.find((v) => v.step === last.step)
    if (p) values.push(p.value)
  }
  if (values.length === 0) return false
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return ctx.direction === 'maximize' ? last.value < mean : last.value > mean
}

function meanPruner(patch: Partial<Pruner> = {}): Pruner {
  return { specificationVersion: 'v1', id: 'test/mean', stateVersion: 1, options: { k: 1 }, shouldPrune: meanRule, ...patch }
}

async function expectCaught(factory: () => Pruner, failing: string, passing: string[]) {
  const tests = await record((runner) => describePruner('broken', factory, { runner }))
  for (const r of await runMatching(tests, failing))
    expect({ name: r.name, failed: r.error !== undefined }).toEqual({ name: r.name, failed: true })
  for (const part of passing)
    for (const r of await runMatching(tests, part)) expect({ name: r.name, error: r.error }).toEqual({ name: r.name, error: undefined })
}

describe('describePruner catches broken pruners', () => {
  test('the correct pruner passes every test', async () => {
    const tests = await record((runner) => describePruner('mean', () => meanPruner(), { runner }))
    for (const r of await runMatching(tests, '')) expect({ name: r.name, error: r.error }).toEqual({ name: r.name, error: undefined })
  })

  test('a pruner with hidden state (every third call answers otherwise)', () => {
    let calls = 0
    return expectCaught(
      () => meanPruner({ shouldPrune: (ctx) => (++calls % 3 === 0 ? !meanRule(ctx) : meanRule(ctx)) }),
      'the same for the same context',
      ['declares specificationVersion'],
    )
  })

  test('a pruner that sorts the history in place', () =>
    expectCaught(
      () =>
        meanPruner({
          shouldPrune: (ctx) => {
            ;(ctx.history as PruneContext['history'][number][]).sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
            return meanRule(ctx)
          },
        }),
      'does not change its context',
      ['declares specificationVersion'],
    ))

  test('a pruner whose options differ between instances', () => {
    let n = 0
    return expectCaught(() => meanPruner({ options: { instance: n++ } }), 'the same for every instance', [
      'never prunes with an empty history',
    ])
  })

  test('a pruner that prunes without history', () =>
    expectCaught(
      () => meanPruner({ shouldPrune: (ctx) => ctx.history.length === 0 || meanRule(ctx) }),
      'never prunes with an empty history',
      ['the same for the same context'],
    ))

  test('a pruner that reads the first point of every history curve', () =>
    expectCaught(
      () => meanPruner({ shouldPrune: (ctx) => ctx.history.every((t) => t.intermediate[0]!.value > -1e9) && meanRule(ctx) }),
      'does not throw on histories',
      ['never prunes with an empty history'],
    ))

  test('a pruner that never prunes', () =>
    expectCaught(() => meanPruner({ shouldPrune: () => false }), 'prunes a trial far worse', ['the same for the same context']))
})
