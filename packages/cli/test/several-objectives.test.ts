/**
 * A job with several objectives, constraints, trial attributes and retried failures, run on a
 * real `fs:` store: the values reach the store, `createCairn().show` and `cairn show` (text and
 * JSON) give the Pareto front, and attributes round-trip.
 */
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { askTell, dominates, float, space, violation, type Direction, type Sampler, type TrialRecord } from '@cairn/core'
import { createCairn, defineConfig } from '@cairn/cli'
import { createFsStore } from '@cairn/store-fs'
import { FIXTURE_CONFIG, runCli, startCli } from './helpers/cli.js'
import { runInProcess } from './helpers/in-process.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-several-')

/** A uniform sampler over the space's `x` that declares several objectives and constraints. */
function multiUniform(): Sampler<{ asked: number }> {
  return {
    id: 'test/multi-uniform',
    stateVersion: 1,
    capabilities: { multiObjective: true, constraints: true },
    init: () => ({ asked: 0 }),
    ask: (state, ctx) => ({ kind: 'candidate', state: { asked: state.asked + 1 }, candidate: { x: ctx.rng.uniform(-1, 4) } }),
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { asked: number },
  }
}

const directions: Direction[] = ['minimize', 'maximize']

function bruteForceFront(trials: readonly TrialRecord[]): number[] {
  const ok = trials.filter((t) => t.status === 'ok' && t.values)
  const least = Math.min(...ok.map((t) => violation(t.constraints)))
  const pool = ok.filter((t) => violation(t.constraints) === least)
  return pool.filter((t) => !pool.some((o) => dominates(o.values as number[], t.values as number[], directions))).map((t) => t.trialIdx)
}

describe('a multi-objective job on an fs: store', () => {
  test('values, constraints, attrs and retries are stored; the result, show and `cairn show` give the Pareto front', async () => {
    const runs = new Map<number, number>()
    const storeUri = `fs:${join(cwd, 'store')}`
    const cairn = createCairn(
      defineConfig({
        store: storeUri,
        jobs: {
          pair: {
            space: space({ x: float(-1, 4) }),
            optimizer: askTell(multiUniform()),
            directions,
            retryFailed: 1,
            maxTrials: 16,
            seed: 3,
            objective: ({ x }: { x: number }, ctx) => {
              const n = (runs.get(ctx.trialIdx) ?? 0) + 1
              runs.set(ctx.trialIdx, n)
              if (ctx.trialIdx === 0 && n === 1) throw new Error('flaky first run')
              ctx.setAttr('half', x / 2)
              return { score: [x * x, x], constraints: [x - 3], attrs: { run: n } }
            },
          },
        },
      }),
    )
    try {
      const handle = await cairn.start('pair', { sessionId: 'mo' })
      const result = await handle.wait()
      expect(result.status).toBe('completed')
      expect(result.bestScore).toBeNull()
      const trials = await cairn.trials('mo')
      expect(trials).toHaveLength(16)
      expect(trials[0]?.retries).toBe(1)
      const first = trials[0] as TrialRecord
      expect(first.attrs).toEqual({ half: (first.candidate as { x: number }).x / 2, run: 2 })
      for (const t of trials) {
        const x = (t.candidate as { x: number }).x
        expect(t.values).toEqual([x * x, x])
        expect(t.constraints).toEqual([x - 3])
      }
      const front = bruteForceFront(trials)
      expect(result.paretoFront?.map((p) => p.trialIdx)).toEqual(front)
      const shown = await cairn.show('mo')
      expect(shown.paretoFront).toEqual(result.paretoFront)
      expect(shown.best).toBeNull()
    } finally {
      await cairn.close()
    }

    const text = await runInProcess(['--store', 'fs:./store', 'show', 'mo', '--trials', '3'], { cwd })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/seed\s+3, minimize, maximize/)
    expect(text.stdout).toMatch(/retry failed\s+up to 1 times/)
    expect(text.stdout).toMatch(/Pareto front \(\d+ trials?\):/)
    expect(text.stdout).toMatch(/ATTRS/)
    expect(text.stdout).toMatch(/"half":/)
    const json = await runInProcess(['--store', 'fs:./store', 'show', 'mo', '--json', '--trials', '16'], { cwd })
    expect(json.code).toBe(0)
    const doc = JSON.parse(json.stdout) as { head: { directions: string[] }; trials: TrialRecord[]; paretoFront: { trialIdx: number }[] }
    expect(doc.head.directions).toEqual(directions)
    expect(doc.trials[0]?.attrs).toMatchObject({ run: 2 })
    expect(doc.trials[0]?.values).toHaveLength(2)
    expect(doc.trials[0]?.constraints).toHaveLength(1)
    expect(doc.paretoFront.map((p) => p.trialIdx)).toEqual(bruteForceFront(doc.trials))
  })

  test('`cairn run` of a job with directions says where its Pareto front is; a second run says the session is done', async () => {
    const cfg = ['--config', FIXTURE_CONFIG, '--store', 'fs:./store']
    const run = await runInProcess([...cfg, 'run', 'pareto'], { cwd })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /completed \(max-trials\): session "pareto-session" after 6 trials, Pareto front of \d+ trials? \(`cairn show pareto-session`\)/,
    )
    const again = await runInProcess([...cfg, 'run', 'pareto'], { cwd })
    expect(again.stdout).toMatch(
      /session "pareto-session" already completed: 6 trials, 2 objectives \(the Pareto front: `cairn show pareto-session`\)/,
    )
  })

  test('a job whose directions are malformed is refused when the config is checked', async () => {
    expect(() =>
      createCairn(
        defineConfig({
          store: 'memory:',
          jobs: { bad: { space: space({ x: float(0, 1) }), objective: () => 0, directions: ['up'] as never } },
        }),
      ),
    ).toThrow(/directions/)
  })
})

describe('retryFailed across a crash', () => {
  test('a run killed with SIGKILL in the middle of a retry re-runs the trial on resume: one record per trial, retries counted', async () => {
    const cfg = ['--config', FIXTURE_CONFIG, '--store', 'fs:./store']
    const run = startCli([...cfg, 'run', 'retrying'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    try {
      await run.waitFor(/^retrying trial 1$/m)
      run.child.kill('SIGKILL')
      await run.exited
    } finally {
      run.child.kill('SIGKILL')
    }
    const before = createFsStore({ dir: join(cwd, 'store') })
    const head = await before.load('retrying-session')
    await before.close()
    expect(head.progress.attempts).toBe(1) // trial 0 committed; trial 1 was being retried
    expect(head.limits.retryFailed).toBe(2)
    // `cairn resume` waits for the killed run's lease to lapse, then runs trial 1 again (its first run fails again).
    const resumed = await runCli([...cfg, 'resume', 'retrying-session'], { cwd })
    expect(resumed.code).toBe(0)
    const store = createFsStore({ dir: join(cwd, 'store') })
    const trials = await store.readTrials('retrying-session')
    await store.close()
    expect(trials.map((t) => [t.trialIdx, t.status, t.retries])).toEqual([
      [0, 'ok', undefined],
      [1, 'ok', 1],
      [2, 'ok', undefined],
      [3, 'ok', undefined],
    ])
  }, 60_000)
})
