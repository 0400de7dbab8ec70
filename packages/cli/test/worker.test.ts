/**
 * `cairn worker` refusals and `cairn show` of a shared session, run in this process (no signal
 * or second process needed; shared-workers.test.ts drives real worker processes).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createFsStore } from '@cairn/store-fs'
import { createCairn, loadConfig, WorkerJobError, type Cairn } from '@cairn/cli'
import { float, space } from './helpers/deps.js'
import { FIXTURE_CONFIG } from './helpers/cli.js'
import { jsonError, runInProcess } from './helpers/in-process.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

// The fixture's `quad` trials take this long in this process (read when it is first loaded).
process.env['CAIRN_TEST_TRIAL_MS'] = '1'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-worker-')

const cfg = ['--config', FIXTURE_CONFIG]
const store = ['--store', 'fs:./store']

/** The fixture's jobs on `<cwd>/store`, in this process. */
async function root(): Promise<Cairn> {
  const { config } = await loadConfig({ path: FIXTURE_CONFIG })
  return createCairn({ ...config, store: `fs:${join(cwd, 'store')}` })
}

describe('cairn worker refuses, with exit 2 and one line', () => {
  test('a finished, a paused, an unknown and a local session', async () => {
    const cairn = await root()
    try {
      await (await cairn.start('shared', { sessionId: 'done', maxTrials: 2 })).wait()
      const paused = await cairn.start('shared', { sessionId: 'paused', maxTrials: 40 })
      await paused.pause()
      await paused.wait()
      const local = await cairn.start('quad', { sessionId: 'local', maxTrials: 1_000 })
      const cases: Array<[string, RegExp]> = [
        ['done', /^error: cannot join session "done": .*completed/],
        ['paused', /^error: cannot join session "paused": .*paused/],
        ['nope', /^error: .*"nope".* not found/i],
        ['local', /^error: cannot join session "local": .*shared/],
      ]
      for (const [id, message] of cases) {
        const r = await runInProcess([...cfg, ...store, 'worker', id], { cwd })
        expect({ id, code: r.code, stdout: r.stdout, lines: r.stderr.split('\n').length }).toEqual({ id, code: 2, stdout: '', lines: 2 })
        expect(r.stderr).toMatch(message)
      }
      await local.cancel()
      await local.wait()
    } finally {
      await cairn.close()
    }
  })

  test('a level: or memory: store, naming the stores workers can share, before opening it', async () => {
    for (const uri of ['level:./db', 'memory:']) {
      const r = await runInProcess([...cfg, '--store', uri, 'worker', 's'], { cwd })
      expect({ uri, code: r.code, stdout: r.stdout }).toEqual({ uri, code: 2, stdout: '' })
      expect(r.stderr).toMatch(
        /^error: cannot join session "s": the store .* cannot be shared with workers \(.*\); start the session on a store several processes share: fs:<dir> \(one machine\) or dynamodb:\/\/<table> \(several machines\)\n$/,
      )
    }
    expect(existsSync(join(cwd, 'db'))).toBe(false)
    const json = await runInProcess([...cfg, '--store', 'level:./db', 'worker', 's', '--json'], { cwd })
    expect(jsonError(json)).toMatchObject({ code: 'NOT_JOINABLE', sessionId: 's', reason: 'store-unsupported' })
  })

  test('a program job: a worker evaluates an objective', async () => {
    const trainset = [{ q: 'a' }, { q: 'b' }]
    const cairn = createCairn({
      store: `fs:${join(cwd, 'store')}`,
      jobs: {
        prompts: {
          program: (config) => (config as { t: number }).t,
          trainset,
          metric: (_example: unknown, out: unknown) => Number(out),
          space: space({ t: float(0, 1) }),
          optimizer: 'random',
          evaluation: 'shared',
          maxTrials: 4,
        },
      },
    })
    try {
      const handle = await cairn.start('prompts', { sessionId: 'prog' })
      await expect(cairn.join('prog')).rejects.toThrow(new WorkerJobError('prog', 'prompts'))
      await handle.cancel()
      await handle.wait()
    } finally {
      await cairn.close()
    }
  })
})

test('cairn run --shared on a level: store exits 2, naming the stores that share trials', async () => {
  const r = await runInProcess([...cfg, '--store', 'level:./db', 'run', 'quad', '--shared'], { cwd })
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' })
  expect(r.stderr).toMatch(/^error: .*@cairn\/store-fs.*@cairn\/store-dynamodb/)
})

test('cairn show of a running shared session lists its pending trials and the workers running them', async () => {
  const cairn = await root()
  const fs = createFsStore({ dir: join(cwd, 'store') })
  try {
    // Evaluated by workers only, and none joined: its two pending trials wait.
    const handle = await cairn.start('shared-remote', { sessionId: 's' })
    while ((await fs.load('s')).pending.length < 2) await new Promise((r) => setTimeout(r, 10))
    const claim = await fs.claimTrial?.('s', { trialIdx: 1, owner: 'gpu-7:4242:abcd', ttlMs: 600_000 })
    expect(claim?.token).toBe(1)

    const text = await runInProcess([...cfg, ...store, 'show', 's'], { cwd })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^evaluation +shared: 1 worker running trials \(gpu-7:4242:abcd: #1\)$/m)
    expect(text.stdout).toMatch(
      /^pending trials:\n# +STATE +WORKER +CLAIM +EXPIRES\n0 +waiting +- +- +-\n1 +running +gpu-7:4242:abcd +1 +in \d+ min/m,
    )

    const json = await runInProcess([...cfg, ...store, 'show', 's', '--json'], { cwd })
    expect(JSON.parse(json.stdout).shared).toEqual({
      pending: [
        { trialIdx: 0, state: 'waiting', owner: null, claimToken: null, expiresAt: null },
        { trialIdx: 1, state: 'running', owner: 'gpu-7:4242:abcd', claimToken: 1, expiresAt: claim?.expiresAt },
      ],
      workers: [{ owner: 'gpu-7:4242:abcd', trials: [1] }],
    })
    await handle.cancel()
    await handle.wait()
  } finally {
    await fs.close()
    await cairn.close()
  }
})
