/**
 * The CLI's errors say what happened: finished sessions, `rm`'s refusal, `--json` errors, a
 * missing config file, a live lease's expiry, and sessions whose trials all failed. Outcomes that
 * need no second process run the CLI in this process; a live lease is held by a real one.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createCairn, loadConfig } from '@cairn/cli'
import { FIXTURE_CONFIG, runCli, startCli } from './helpers/cli.js'
import { jsonError, runInProcess } from './helpers/in-process.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'
import { snapshot } from './helpers/tree.js'

// The fixture's trials take this long in this process (read when it is first loaded).
process.env['CAIRN_TEST_TRIAL_MS'] = '1'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-errors-')

const cfg = ['--config', FIXTURE_CONFIG]
const store = ['--store', 'fs:./store']

/** Sessions of the fixture's jobs in `<cwd>/store`, driven to their end (or paused) in this process. */
async function seed(sessions: Array<{ job: string; id: string; stop?: 'pause' | 'cancel'; maxTrials?: number }>): Promise<void> {
  const { config } = await loadConfig({ path: FIXTURE_CONFIG })
  const cairn = createCairn({ ...config, store: `fs:${join(cwd, 'store')}` })
  try {
    for (const s of sessions) {
      const handle = await cairn.start(s.job, { sessionId: s.id, ...(s.maxTrials !== undefined ? { maxTrials: s.maxTrials } : {}) })
      if (s.stop === 'pause') await handle.pause()
      else if (s.stop === 'cancel') await handle.cancel()
      else await handle.wait()
    }
  } finally {
    await cairn.close()
  }
}

describe('pause and cancel of a finished session', () => {
  test('say it is finished and exit 2; asking for the state it already has changes nothing and exits 0', async () => {
    await seed([
      { job: 'quad', id: 'done', maxTrials: 1 },
      { job: 'flaky', id: 'failed' },
      { job: 'quad', id: 'gone', stop: 'cancel' },
      { job: 'quad', id: 'held', stop: 'pause' },
    ])
    const before = await snapshot(join(cwd, 'store'))
    const refused: Array<[string, string, string]> = [
      ['cancel', 'done', 'completed'],
      ['pause', 'done', 'completed'],
      ['cancel', 'failed', 'failed'],
      ['pause', 'failed', 'failed'],
      ['pause', 'gone', 'cancelled'],
    ]
    for (const [action, id, status] of refused) {
      const r = await runInProcess([...store, action, id], { cwd })
      expect({ action, id, code: r.code, stdout: r.stdout }).toEqual({ action, id, code: 2, stdout: '' })
      expect(r.stderr).toBe(`error: [cairn] session "${id}" is already ${status}; nothing to ${action}\n`)
    }
    const json = await runInProcess([...store, 'cancel', 'done', '--json'], { cwd })
    expect(json.code).toBe(2)
    expect(jsonError(json)).toEqual({
      code: 'ALREADY_TERMINAL',
      message: '[cairn] session "done" is already completed; nothing to cancel',
      sessionId: 'done',
      status: 'completed',
      action: 'cancel',
    })

    const again: Array<[string, string, string]> = [
      ['cancel', 'gone', 'cancelled'],
      ['pause', 'held', 'paused'],
    ]
    for (const [action, id, status] of again) {
      const r = await runInProcess([...store, action, id], { cwd })
      expect({ action, id, code: r.code, stderr: r.stderr }).toEqual({ action, id, code: 0, stderr: '' })
      expect(r.stdout).toBe(`session "${id}" is already ${status}; nothing to ${action}\n`)
    }
    const unchanged = await runInProcess([...store, 'cancel', 'gone', '--json'], { cwd })
    expect(JSON.parse(unchanged.stdout)).toEqual({ sessionId: 'gone', action: 'cancel', outcome: 'unchanged', status: 'cancelled' })
    expect(await snapshot(join(cwd, 'store'))).toEqual(before)
  })
})

describe('a session driven by a live process', () => {
  test('`rm` names --force once, and says when the lease expires; `resume --json` carries leaseExpiresAt', async () => {
    // A real process drives `live`; its first trial lasts longer than the test.
    const driver = startCli([...cfg, ...store, 'run', 'quad', '--session-id', 'live'], { cwd, env: { CAIRN_TEST_TRIAL_MS: '600000' } })
    try {
      await driver.waitFor(/^press Ctrl-C to pause/)
      const startedBy = Date.now()
      const [removal, resumed, parseError] = await Promise.all([
        runInProcess([...store, 'rm', 'live'], { cwd }),
        runInProcess([...cfg, ...store, 'resume', 'live', '--json'], { cwd }),
        runCli(['ls', '--json', '--status', 'nope'], { cwd }),
      ])

      expect(removal.code).toBe(2)
      expect(removal.stdout).toBe('')
      expect(removal.stderr).toMatch(
        /^error: \[cairn\] session "live" is being driven by [^ ]+:\d+:[^ ]+ \(lease expires in \d+ s\); pause or cancel it first, or delete it anyway with `pnpm cairn --store fs:\.\/store rm live --force` \(its process then fails at its next commit\)\n$/,
      )
      expect(removal.stderr.match(/force/g)).toHaveLength(1)

      expect(resumed.code).toBe(2)
      const error = jsonError(resumed)
      expect(error).toMatchObject({ code: 'ALREADY_RUNNING', sessionId: 'live', owner: expect.stringMatching(/:\d+:/) })
      expect(error.message).toMatch(/^session "live" is already being driven by .+ \(lease expires in \d+ s\)/)
      expect(error['leaseExpiresAt']).toBeGreaterThan(startedBy)

      // A malformed command line, answered by the real process in JSON and nothing else.
      expect(parseError.code).toBe(2)
      expect(jsonError(parseError)).toEqual({
        code: 'INVALID_INPUT',
        message: `option '--status <list>' argument 'nope' is invalid. "nope" is not a status (running, paused, completed, failed, cancelled, corrupt).`,
      })
    } finally {
      driver.child.kill('SIGKILL')
      await driver.exited
    }
  })
})

describe('--json', () => {
  test('every command answers an error with one JSON document on stderr, nothing else', async () => {
    await writeFile(join(cwd, 'malformed.mjs'), `export default { jobs: { a: { maxTrials: 'ten' } } }\n`)
    const cases: Array<[string[], string, RegExp]> = [
      [[...cfg, ...store, 'run', 'nope'], 'INVALID_INPUT', /^\[cairn\] unknown job "nope"/],
      [[...cfg, ...store, 'run', 'quad', '--trials', 'many'], 'INVALID_INPUT', /^option '-n, --trials <n>' argument 'many' is invalid/],
      [[...cfg, ...store, 'run'], 'INVALID_INPUT', /^missing required argument 'job'$/],
      [[...cfg, ...store, 'resume', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [[...store, 'ls', '--since', 'someday'], 'INVALID_INPUT', /^option '--since <when>' argument 'someday' is invalid/],
      [[...store, 'show', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [[...store, 'pause', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [[...store, 'cancel', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [[...store, 'rm', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [[...cfg, ...store, 'monitor', '--poll-interval', '0'], 'INVALID_INPUT', /^option '--poll-interval <ms>' argument '0' is invalid/],
      [[...store, 'report', 'missing'], 'NOT_FOUND', /session "missing".* was not found$/],
      [['jobs', '--bogus'], 'INVALID_INPUT', /^unknown option '--bogus'$/],
      [['lss'], 'INVALID_INPUT', /^unknown command 'lss' \(Did you mean ls\?\)$/],
      [['--config', 'absent.ts', 'jobs'], 'INVALID_INPUT', /^\[cairn\] config: no such file: .*absent\.ts$/],
      [
        ['--config', 'malformed.mjs', 'ls'],
        'INVALID_INPUT',
        /^\[cairn\] jobs\.a\.maxTrials: must be an integer in \[0, \d+\], got "ten" \(in .*malformed\.mjs\)$/,
      ],
      [['--store', 'bogus://x', 'ls'], 'INVALID_INPUT', /^\[cairn\] store: "bogus:\/\/x" has an unknown scheme/],
    ]
    for (const [args, code, message] of cases) {
      const r = await runInProcess([...args, '--json'], { cwd })
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      const error = jsonError(r)
      expect({ args, code: error.code }).toEqual({ args, code })
      expect(error.message).toMatch(message)
    }
    // A config error names its field.
    expect(jsonError(await runInProcess(['--config', 'malformed.mjs', 'ls', '--json'], { cwd }))['field']).toBe('jobs.a.maxTrials')
    expect(existsSync(join(cwd, 'store'))).toBe(false)
  })
})

describe('without a config file', () => {
  test('run, resume and monitor say "no config file found" (exit 2); ls and show work on the default store', async () => {
    const looked = `no config file found in ${cwd} (looked for cairn.config.ts, cairn.config.mts, cairn.config.js, cairn.config.mjs)`
    for (const [args, neededFor] of [
      [['run', 'quad'], 'run needs one for the job "quad"'],
      [['resume', 'some-session'], "resume needs one for the session's job"],
      [['monitor'], 'monitor needs one for the jobs of the sessions it resumes'],
    ] as const) {
      const r = await runInProcess([...args], { cwd })
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' })
      expect(r.stderr).toBe(`error: [cairn] ${looked}; ${neededFor}: create one or give --config <file>\n`)
    }
    const json = await runInProcess(['run', 'quad', '--json'], { cwd })
    expect(jsonError(json)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(looked) })

    const ls = await runInProcess(['ls'], { cwd })
    expect(ls).toEqual({ code: 0, stdout: `no sessions in level:${join(cwd, '.cairn')}\n`, stderr: '' })
    const show = await runInProcess(['show', 'some-session'], { cwd })
    expect(show.code).toBe(2)
    expect(show.stderr).toMatch(/^error: .*session "some-session".* was not found\n$/)
    const jobs = await runInProcess(['jobs'], { cwd })
    expect(jobs).toMatchObject({ code: 0, stdout: expect.stringContaining(looked) })
    // Nothing was created.
    expect(existsSync(join(cwd, '.cairn'))).toBe(false)
  }, 60_000)
})

describe('a session whose trials all failed', () => {
  test('`run`, `run` of the finished session and `resume` exit 1 and say so, naming the first error', async () => {
    const allFailed = 'all 3 trials failed; first error: objective: the objective always fails'
    const run = await runInProcess([...cfg, ...store, 'run', 'doomed'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^completed \(max-trials\): session "doomed-session" after 3 trials, 3 errors, no successful trial$/m)
    expect(run.stdout).toContain(`\n${allFailed}\n`)

    // Its fixed session is finished: a second run reports it, with the same outcome.
    const again = await runInProcess([...cfg, ...store, 'run', 'doomed'], { cwd })
    expect(again.code).toBe(1)
    expect(again.stdout).toMatch(/^session "doomed-session" already completed: 3 trials, no successful trial/)
    expect(again.stdout).toContain(`\n${allFailed}\n`)

    // Paused after its first trial, then resumed to its end: the result JSON says why the exit is 1.
    await seed([{ job: 'doomed', id: 'resumable', stop: 'pause' }])
    const resumed = await runInProcess([...cfg, ...store, 'resume', 'resumable', '--json'], { cwd })
    expect(resumed.code).toBe(1)
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      sessionId: 'resumable',
      status: 'completed',
      bestScore: null,
      progress: { attempts: 3, errors: 3 },
      failure: allFailed,
    })
    expect(resumed.stderr).toContain(`\n${allFailed}\n`)
  })
})

describe('a session whose trials were pruned or failed', () => {
  test('pruned trials are counted apart: in the progress lines, the summary and --json; they are not "failed"', async () => {
    const run = await runInProcess([...cfg, ...store, 'run', 'pruning'], { cwd })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^4\/4 trials {2}#3 pruned at step 0 \([-\d.e+]+\) {2}best - {2}errors 2, pruned 2 {2}eta /m)
    expect(run.stdout).toMatch(/^2\/4 trials {2}#1 pruned at step 0 \([-\d.e+]+\) {2}best - {2}errors 1, pruned 1 {2}eta /m)
    expect(run.stdout).toMatch(/^1\/4 trials {2}#0 error .* {2}errors 1 {2}eta /m) // no "pruned 0"
    expect(run.stdout).toMatch(
      /^completed \(max-trials\): session "pruning-session" after 4 trials, 2 pruned, 2 errors, no successful trial$/m,
    )
    expect(run.stdout).not.toMatch(/trials failed/)

    // The session's pruner, named in the config, is the one recorded: show says so.
    const show = await runInProcess([...cfg, ...store, 'show', 'pruning-session'], { cwd })
    expect(show.stdout).toMatch(/4 of 4 \(0 ok, 2 pruned, 2 errors;/)
    expect(show.stdout).toMatch(/pruner +@cairn\/optimizers\/median-pruner/)
    // ls counts them in a PRUNED column (shown only when some session pruned trials).
    const ls = await runInProcess([...cfg, ...store, 'ls'], { cwd })
    expect(ls.stdout).toMatch(/^SESSION +JOB +STATUS +OPTIMIZER +TRIALS +PRUNED +BEST +UPDATED/m)
    expect(ls.stdout).toMatch(/^pruning-session +pruning +completed +\S+ +0 +2 +- /m)
    const lsJson = JSON.parse((await runInProcess([...cfg, ...store, 'ls', '--json'], { cwd })).stdout) as Array<{ sessionId: string }>
    expect(lsJson.find((l) => l.sessionId === 'pruning-session')).toMatchObject({ completed: 0, pruned: 2 })

    const again = await runInProcess([...cfg, ...store, 'run', 'pruning', '--json'], { cwd })
    expect(again.code).toBe(0)
    const json = JSON.parse(again.stdout) as { progress: unknown; failure?: unknown }
    expect(json.progress).toMatchObject({ attempts: 4, completed: 0, errors: 2, pruned: 2 })
    expect(json.failure).toBeUndefined()
  })
})
