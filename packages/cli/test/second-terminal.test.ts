/**
 * With the default store (`level:`), a second terminal works while `cairn run` holds it: `ls`,
 * `show`, `report`, `pause` and `cancel` go through the running process, writes are refused
 * naming it, and after a `kill -9` the next run reopens the store. The real CLI in child
 * processes, a real LevelDB database, gated trials (a test decides when each one ends).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test as base } from 'vitest'
import { FIXTURE_CONFIG, runCli, startCli } from './helpers/cli.js'

const test = base.extend<{ cwd: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
  cwd: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-second-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
})

const store = ['--store', 'level:./.cairn']
const cfg = ['--config', FIXTURE_CONFIG, ...store]

/** Lets gated trials end (CAIRN_TEST_GATE in the fixture config). */
async function release(dir: string, ...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(dir, `release-${i}`), '')
}

describe.concurrent('a second terminal on a level: store while `cairn run` holds it', () => {
  test('ls, show and report see the run and its trials; a write is refused naming the run; pause stops it after the trial in flight', async ({
    cwd,
  }) => {
    const run = startCli([...cfg, 'run', 'quad', '--session-id', 'held'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    try {
      await release(cwd, 0, 1)
      await run.waitFor(/^started trial 2$/)
      const pid = run.child.pid as number

      const [ls, show, report] = await Promise.all([
        runCli([...store, 'ls', '--json'], { cwd }),
        runCli([...store, 'show', 'held', '--json', '--trials', '5'], { cwd }),
        runCli([...store, 'report', 'held', '--json'], { cwd }),
      ])
      expect(ls).toMatchObject({ code: 0, stderr: '' })
      expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ sessionId: 'held', job: 'quad', status: 'running', completed: 2 })])
      expect(show).toMatchObject({ code: 0, stderr: '' })
      const details = JSON.parse(show.stdout) as {
        head: { status: string; progress: { attempts: number } }
        trials: Array<{ trialIdx: number }>
      }
      expect(details.head).toMatchObject({ status: 'running', progress: { attempts: 2 } })
      expect(details.trials.map((t) => t.trialIdx)).toEqual([0, 1])
      expect(report).toMatchObject({ code: 0, stderr: '' })
      expect(JSON.parse(report.stdout)).toEqual({ sessionId: 'held', path: join(cwd, 'held.html'), trials: 2 })
      expect(await readFile(join(cwd, 'held.html'), 'utf8')).toContain('held')

      // Another run on the same store: refused, naming the process that holds it.
      const other = await runCli([...cfg, 'run', 'quad', '--session-id', 'other', '--trials', '1'], { cwd })
      expect(other.code).toBe(2)
      expect(other.stderr).toMatch(
        new RegExp(`^error: \\[@cairn/store-level\\] cannot .+: the LevelDB database at ".*/\\.cairn" is held by process ${pid} \\(`),
      )
      expect(other.stderr).toContain('Pause or stop it, or wait for it to end')
      expect(other.stderr.trim().split('\n')).toHaveLength(1)

      const pause = await runCli([...store, 'pause', 'held', '--json'], { cwd })
      expect(pause).toMatchObject({ code: 0, stderr: '' })
      expect(JSON.parse(pause.stdout)).toEqual({ sessionId: 'held', action: 'pause', outcome: 'requested', status: 'running' })
      await release(cwd, 2, 3)
      expect(await run.exited).toBe(0)
      expect(run.output()).toMatch(/paused session "held" after 3 trials/)

      // The run closed the store: the next command opens it itself.
      const after = await runCli([...store, 'ls', '--json'], { cwd })
      expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ sessionId: 'held', status: 'paused', completed: 3 })])
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  test('cancel from a second terminal cancels the run after its trial in flight', async ({ cwd }) => {
    const run = startCli([...cfg, 'run', 'quad', '--session-id', 'doomed'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    try {
      await release(cwd, 0)
      await run.waitFor(/^started trial 1$/)
      const cancel = await runCli([...store, 'cancel', 'doomed'], { cwd })
      expect(cancel).toMatchObject({ code: 0, stderr: '' })
      await release(cwd, 1, 2)
      expect(await run.exited).toBe(1)
      const show = await runCli([...store, 'show', 'doomed', '--json'], { cwd })
      expect(JSON.parse(show.stdout).head).toMatchObject({ status: 'cancelled', progress: { attempts: 2 } })
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  test('after `kill -9` of the run, `cairn run` reopens the store (its socket replaced) and a second terminal reads through it again', async ({
    cwd,
  }) => {
    // `fixed` has a 2 s lease, so the killed run's lease soon expires and the new run takes the session over.
    const env = { CAIRN_TEST_GATE: cwd }
    const first = startCli([...cfg, 'run', 'fixed'], { cwd, env })
    await release(cwd, 0)
    await first.waitFor(/^started trial 1$/)
    first.child.kill('SIGKILL')
    expect(await first.exited).toBe(137)

    const second = startCli([...cfg, 'run', 'fixed'], { cwd, env })
    try {
      await second.waitFor(/^resumed session "fixed-session" at trial 1/)
      await second.waitFor(/^started trial 1$/)
      const ls = await runCli([...store, 'ls', '--json'], { cwd })
      expect(ls).toMatchObject({ code: 0, stderr: '' })
      expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ sessionId: 'fixed-session', status: 'running', completed: 1 })])
      const pause = await runCli([...store, 'pause', 'fixed-session', '--json'], { cwd })
      expect(JSON.parse(pause.stdout)).toMatchObject({ outcome: 'requested' })
      await release(cwd, 1)
      expect(await second.exited).toBe(0)
      expect(second.output()).toMatch(/paused session "fixed-session" after 2 trials/)
    } finally {
      second.child.kill('SIGKILL')
    }
  })
})
