/**
 * End-to-end: the real `cairn` CLI (from source) in child processes, with real signals and real
 * fs / level stores in temp directories. The tests run concurrently (each in its own directory):
 * most of their time is spent waiting for child processes.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test as base } from 'vitest'
import { createFsStore } from '@cairn/store-fs'
import { createCairn, loadConfig } from '@cairn/cli'
import { spawn } from 'node:child_process'
import { childEnv, FIXTURE_CONFIG, printedCommand, runCli, shellCommand, startCli } from './helpers/cli.js'
import { snapshot } from './helpers/tree.js'

/** Each test runs its CLI processes in a fresh temporary directory, `cwd`. */
const test = base.extend<{ cwd: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
  cwd: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
})

const cfg = ['--config', FIXTURE_CONFIG]

/** Lets gated trials end (see CAIRN_TEST_GATE in the fixture config). */
async function release(dir: string, ...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(dir, `release-${i}`), '')
}

/** The trial log of a session in an fs store. */
async function trialsOf(dir: string, id: string) {
  const store = createFsStore({ dir })
  try {
    return await store.readTrials(id)
  } finally {
    await store.close()
  }
}

describe.concurrent('cairn run / resume', () => {
  test('Ctrl-C pauses after the trial in flight and prints the resume command; resume completes the same session', async ({ cwd }) => {
    // Gated trials: trial 3 ends only once the signal was handled, however busy the machine.
    const run = startCli([...cfg, '--store', 'fs:./store', 'run', 'quad'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    await release(cwd, 0, 1, 2)
    await run.waitFor(/^3\/12 trials/)
    run.child.kill('SIGINT')
    await run.waitFor(/pausing after the trial in flight/)
    await release(cwd, 3)
    expect(await run.exited).toBe(0)
    const out = run.output()
    expect(out).toContain('pausing after the trial in flight')
    const paused = /paused session "([^"]+)" after (\d+) trials/.exec(out)
    expect(paused).not.toBeNull()
    const id = paused?.[1] as string
    const pausedAt = Number(paused?.[2])
    expect(pausedAt).toBeGreaterThanOrEqual(3)
    expect(pausedAt).toBeLessThan(12)
    const resumeLine = /resume with: (.+)$/m.exec(out)?.[1]
    // From source the command is the repository's root script `pnpm cairn`; built or installed, it is `cairn`.
    const cairn = printedCommand()
    expect(resumeLine).toBe(`${cairn} --config ${FIXTURE_CONFIG} --store fs:./store resume ${id}`)

    // The printed command, as printed.
    const printedArgs = (resumeLine as string).slice(cairn.length + 1).split(' ')
    const resumed = await runCli(printedArgs, { cwd, env: { CAIRN_TEST_TRIAL_MS: '1' } })
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain(`resumed session "${id}" at trial ${pausedAt}`)
    expect(resumed.stdout).toMatch(new RegExp(`completed \\(max-trials\\): session "${id}" after 12 trials`))

    // No trial lost or run twice, and the same candidates as an uninterrupted run of the job.
    const trials = await trialsOf(join(cwd, 'store'), id)
    expect(trials.map((t) => t.trialIdx)).toEqual([...Array(12).keys()])
    process.env['CAIRN_TEST_TRIAL_MS'] = '1' // read by the config when it is loaded (child processes get their own; see childEnv)
    const { config } = await loadConfig({ path: FIXTURE_CONFIG })
    const straight = createCairn({ ...config, store: 'memory:' })
    await (await straight.start('quad', { sessionId: 'straight' })).wait()
    expect((await straight.trials('straight')).map((t) => t.candidate)).toEqual(trials.map((t) => t.candidate))
    await straight.close()

    // Scripts can read the store.
    const [ls, show] = await Promise.all([
      runCli(['--store', 'fs:./store', 'ls', '--json'], { cwd }),
      runCli(['--store', 'fs:./store', 'show', id, '--json', '--trials', '3'], { cwd }),
    ])
    expect(ls.code).toBe(0)
    const listings = JSON.parse(ls.stdout) as Array<Record<string, unknown>>
    expect(listings).toEqual([
      expect.objectContaining({ sessionId: id, job: 'quad', status: 'completed', optimizer: '@cairn/optimizers/tpe' }),
    ])
    expect(show.code).toBe(0)
    const details = JSON.parse(show.stdout) as { head: Record<string, any>; best: Record<string, any>; trials: unknown[] }
    expect(details.head).toMatchObject({ sessionId: id, job: 'quad', status: 'completed', seed: 7, progress: { attempts: 12 } })
    expect(details.best.trialIdx).toBe(details.head['progress'].bestTrialIdx)
    expect(details.trials).toHaveLength(3)
  })

  test('a second Ctrl-C quits at once with 130; the committed trials stay and `cancel` settles the abandoned session', async ({ cwd }) => {
    // `fixed` has a 2 s lease, so the dead process's lease soon expires. Trial 1 never ends (gated).
    const run = startCli([...cfg, '--store', 'fs:./store', 'run', 'fixed'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    await release(cwd, 0)
    await run.waitFor(/^1\/10 trials/)
    run.child.kill('SIGINT')
    await run.waitFor(/pausing after the trial in flight/)
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(130)
    const committed = await trialsOf(join(cwd, 'store'), 'fixed-session')
    expect(committed.length).toBeGreaterThanOrEqual(1)
    // The session is `running` with a dead driver — or `paused` with the dead driver's lease not yet
    // released, when the first Ctrl-C landed between two trials; either way `cancel` settles it directly.
    const cancel = await runCli(['--store', 'fs:./store', 'cancel', 'fixed-session'], { cwd })
    expect(cancel.code).toBe(0)
    expect(cancel.stdout).toContain('cancelled session "fixed-session" (no process was driving it)')
  })

  test('on a terminal the progress is a live bar (run under `script`, a real pseudo-terminal)', async ({ cwd }) => {
    const env = childEnv({ CAIRN_TEST_TRIAL_MS: '100' })
    delete env['CAIRN_PROGRESS']
    const command = shellCommand([...cfg, '--store', 'fs:./store', 'run', 'quad', '--trials', '4'])
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c))
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', (e) => reject(new Error(`\`script\` (util-linux) is needed for this test: ${e.message}`)))
      child.on('close', resolve)
    })
    expect(code).toBe(0)
    expect(out).toContain('\x1b[?25l') // the cursor is hidden while the bar is drawn…
    expect(out).toContain('\x1b[?25h') // …and shown again
    expect(out).toMatch(/█{30} 4\/4 trials \| best [-\d.e+]+ \(#\d\) \| errors 0 \| ETA 0 s/)
    expect(out).not.toMatch(/^1\/4 trials {2}#0/m) // not the plain lines
    expect(out).toMatch(/completed \(max-trials\): session "quad-[^"]+" after 4 trials/)
  })

  test.for<[job: string, how: string]>([
    ['spin', 'synchronous'],
    ['spin-io', 'that first awaits a file read'],
  ])('Ctrl-C during a CPU-bound trial (job %s, %s): that trial is committed, then the session pauses', async ([job], { cwd }) => {
    // Each trial prints "started trial i", then spins without yielding until the file release-i exists.
    const k = 2
    const run = startCli([...cfg, '--store', 'memory:', 'run', job], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    try {
      for (let i = 0; i < k; i++) {
        await run.waitFor(new RegExp(`^started trial ${i}$`))
        await writeFile(join(cwd, `release-${i}`), '')
      }
      await run.waitFor(new RegExp(`^started trial ${k}$`))
      // The signal is pending in the child before the release file exists, so trial k ends after it arrived.
      run.child.kill('SIGINT')
      await writeFile(join(cwd, `release-${k}`), '')
      // Either the run pauses and exits, or (the bug) trial k + 1 starts and spins.
      await Promise.race([run.exited, run.waitFor(new RegExp(`^started trial ${k + 1}$`)).catch(() => undefined)])
      expect(run.output().match(/^started trial \d+$/gm)).toEqual([...Array(k + 1).keys()].map((i) => `started trial ${i}`))
      expect(await run.exited).toBe(0)
      const out = run.stdout()
      expect(out).toMatch(new RegExp(`^${k + 1}/8 trials {2}#${k} `, 'm')) // trial k committed…
      expect(out).toMatch(new RegExp(`^paused session "${job}-[^"]+" after ${k + 1} trials`, 'm')) // …and nothing after it
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  test('resume --trials raises the budget: the progress counts to the new total (it showed the old one), and it is stored', async ({
    cwd,
  }) => {
    // Gated trials: the run is paused after trial 2, however busy the machine.
    const run = startCli([...cfg, '--store', 'fs:./store', 'run', 'quad', '--session-id', 'budget', '--trials', '6'], {
      cwd,
      env: { CAIRN_TEST_GATE: cwd },
    })
    await release(cwd, 0, 1)
    await run.waitFor(/^2\/6 trials/)
    await run.waitFor(/started trial 2/)
    run.child.kill('SIGINT')
    await run.waitFor(/pausing after the trial in flight/)
    await release(cwd, 2)
    expect(await run.exited).toBe(0)
    expect(run.output()).toMatch(/paused session "budget" after 3 trials/)
    const raised = await runCli([...cfg, '--store', 'fs:./store', 'resume', 'budget', '--trials', '9'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '1' },
    })
    expect(raised.code).toBe(0)
    expect(raised.stdout).toMatch(/^4\/9 trials/m)
    expect(raised.stdout).not.toMatch(/\/6 trials/)
    expect(raised.stdout).toMatch(/completed \(max-trials\): session "budget" after 9 trials/)
    const store = createFsStore({ dir: join(cwd, 'store') })
    expect((await store.load('budget')).limits.maxTrials).toBe(9)
    await store.close()
  })

  test('a session that fails exits 1 and says why, naming the first error', async ({ cwd }) => {
    const r = await runCli([...cfg, '--store', 'fs:./store', 'run', 'flaky'], { cwd })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/failed \(max-errors\): session "flaky-[^"]+" after 2 trials, 2 errors, no successful trial/)
    expect(r.stdout).toContain('error (objective: the objective always fails)')
    expect(r.stdout).toContain(
      '\nthe session failed: 2 trials failed, more than maxErrors (1) allows; first error: objective: the objective always fails\n',
    )
  })
})

describe.concurrent('cairn pause / cancel from another process', () => {
  test('on an fs: store, `pause` from another process pauses a running session; `cancel` then cancels it', async ({ cwd }) => {
    // Far more trials than can run before the pause lands, however slow the other process starts.
    const run = startCli([...cfg, '--store', 'fs:./store', 'run', 'quad', '--session-id', 'remote', '--trials', '100000'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '200' },
    })
    await run.waitFor(/^2\/100000 trials/)
    const pause = await runCli(['--store', 'fs:./store', 'pause', 'remote', '--wait'], { cwd })
    expect(pause.stderr).toBe('')
    expect(pause.code).toBe(0)
    expect(pause.stdout).toContain('session "remote" is paused')
    expect(await run.exited).toBe(0)
    expect(run.output()).toMatch(/paused session "remote" after \d+ trials/)

    const cancel = await runCli(['--store', 'fs:./store', 'cancel', 'remote', '--json'], { cwd })
    expect(cancel.code).toBe(0)
    expect(JSON.parse(cancel.stdout)).toEqual({ sessionId: 'remote', action: 'cancel', outcome: 'applied', status: 'cancelled' })
    const resume = await runCli([...cfg, '--store', 'fs:./store', 'resume', 'remote'], { cwd })
    expect(resume.code).toBe(2)
    expect(resume.stderr).toMatch(/^error: session "remote" is cancelled and cannot be resumed/)
  })
})

describe.concurrent('bad input', () => {
  test('unknown job, bad URI, unknown session, bad flag: exit 2, one clear line, store untouched', async ({ cwd }) => {
    // A store with one session in it.
    const seeded = await runCli([...cfg, '--store', 'fs:./store', 'run', 'quad', '--trials', '2', '--session-id', 'keep'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '1' },
    })
    expect(seeded.code).toBe(0)
    const before = await snapshot(join(cwd, 'store'))
    expect(Object.keys(before).length).toBeGreaterThan(0)

    const cases: Array<[string[], RegExp]> = [
      [
        [...cfg, '--store', 'fs:./store', 'run', 'nope'],
        /^error: \[cairn\] unknown job "nope": the config defines "quad", "fixed", "flaky", "doomed", "pruning", "spin", "remote", "spin-io", "shared", "shared-remote", "pareto", "retrying"$/,
      ],
      [
        [...cfg, '--store', 'bogus://x', 'run', 'quad'],
        /^error: \[cairn\] store: "bogus:\/\/x" has an unknown scheme "bogus:"; use `memory:`, `fs:<dir>`/,
      ],
      [['--store', 'fs:./store', 'show', 'missing'], /^error: .*session "missing".* was not found$/],
      [[...cfg, '--store', 'fs:./store', 'resume', 'missing'], /^error: .*session "missing".* was not found$/],
      [
        [...cfg, '--store', 'fs:./store', 'run', 'quad', '--trials', 'many'],
        /^error: option '-n, --trials <n>' argument 'many' is invalid\. must be an integer of at least 0\./,
      ],
      [
        [...cfg, '--store', 'fs:./store', 'run', 'quad', '--optimizer', 'nope'],
        /^error: \[cairn\] unknown optimizer "nope"; known: "fast-tpe", "random", "grid", "tpe", "cmaes", "nsga2", "few-shot"$/,
      ],
      [[...cfg, '--store', 'fs:./fresh', 'run', 'nope'], /^error: \[cairn\] unknown job "nope"/],
    ]
    const results = await Promise.all(cases.map(([args]) => runCli(args, { cwd })))
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr.split('\n')[0]).toMatch(message)
      expect(r.stdout).toBe('')
    }
    expect(await snapshot(join(cwd, 'store'))).toEqual(before)
    expect(existsSync(join(cwd, 'fresh'))).toBe(false)
  })
})

describe.concurrent('cairn monitor', () => {
  test('resumes a run killed with SIGKILL once its lease expires; Ctrl-C stops the monitor', async ({ cwd }) => {
    // Trial 2 never ends (gated): the run is still going when it is killed.
    const run = startCli([...cfg, '--store', 'fs:./store', 'run', 'fixed'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    await release(cwd, 0, 1)
    await run.waitFor(/^2\/10 trials/)
    run.child.kill('SIGKILL')
    await run.exited
    const monitor = startCli([...cfg, '--store', 'fs:./store', 'monitor', '--poll-interval', '300'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '20' },
    })
    await monitor.waitFor(/recovering fixed-session \(job fixed, attempt 1\)/)
    await monitor.waitFor(/fixed-session: driver stopped, session completed after 10 trials/)
    monitor.child.kill('SIGINT')
    expect(await monitor.exited).toBe(0)
    expect(monitor.output()).toContain('monitor stopped')
    expect((await trialsOf(join(cwd, 'store'), 'fixed-session')).map((t) => t.trialIdx)).toEqual([...Array(10).keys()])
    // Running the job again reports it finished and how to start over.
    const again = await runCli([...cfg, '--store', 'fs:./store', 'run', 'fixed'], { cwd })
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/session "fixed-session" already completed: 10 trials, best .* at trial \d+/)
    expect(again.stdout).toContain(
      `to start over: \`${printedCommand()} --config ${FIXTURE_CONFIG} --store fs:./store rm fixed-session\`, then`,
    )
  })
})
