/**
 * Stopping the workers of a shared session, with real processes: Ctrl-C on a worker, and
 * `cairn pause` from another process; a worker joining a paused session is refused.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import type { TrialRecord } from '@cairn/core'
import { FIXTURE_CONFIG, runCli, startCli as startCliProcess, type CliOptions, type CliProcess } from './helpers/cli.js'
import { candidatesOf, referenceRun } from './helpers/shared-run.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-shared-pause-')

/** The processes a test started: a failed test leaves none behind (registered after the directory's hooks, so it runs first). */
const processes: CliProcess[] = []
afterEach(async () => {
  for (const p of processes.splice(0)) {
    p.child.kill('SIGKILL')
    await p.exited
  }
})
function startCli(args: string[], opts: CliOptions): CliProcess {
  const p = startCliProcess(args, opts)
  processes.push(p)
  return p
}

const cfg = ['--config', FIXTURE_CONFIG]

/** Lets gated trials end (see CAIRN_TEST_GATE in the fixture config). */
async function release(...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(cwd, `release-${i}`), '')
}

test('Ctrl-C stops a worker after its trial in flight; `cairn pause` from another process stops every worker after theirs; resumed, the session uses their results', async () => {
  const env = { CAIRN_TEST_GATE: cwd, CAIRN_TEST_TRIAL_MS: '1' }
  const store = ['--store', 'fs:./store']
  const run = startCli([...cfg, ...store, 'run', 'shared-remote', '--session-id', 'p'], { cwd, env })
  await run.waitFor(/^shared with workers: .* worker p$/)
  const started = [0, 1].map(() => startCli([...cfg, ...store, 'worker', 'p'], { cwd, env }))
  // parallelism 2: both pending trials are in flight, one in each worker, held by the gate.
  const inFlight = await Promise.all(started.map(async (w) => Number(/\d+/.exec(await w.waitFor(/^started trial \d+$/))?.[0])))
  expect([...inFlight].sort()).toEqual([0, 1])
  const [first, second] = inFlight[0] === 0 ? started : [...started].reverse()
  if (!first || !second) throw new Error('two workers')

  // Ctrl-C: the worker running trial 0 finishes it, reports it, and stops; the coordinator commits it.
  first.child.kill('SIGINT')
  await first.waitFor(/^stopping after the trial in flight/)
  await release(0)
  expect(await first.exited).toBe(0)
  expect(first.stdout()).toMatch(/^trial 0: score \S+ \([^)]+\)\nstopped: this worker evaluated 1 trial; session "p" goes on\n$/m)
  await run.waitFor(/^1\/8 trials {2}#0 score/)

  const pause = await runCli([...cfg, ...store, 'pause', 'p', '--wait'], { cwd })
  expect(pause.code).toBe(0)
  expect(await run.exited).toBe(0)
  expect(run.stdout()).toMatch(/^paused session "p" after 1 trial /m)
  // A worker joining now is told the session is paused.
  const late = await runCli([...cfg, ...store, 'worker', 'p'], { cwd, env })
  expect({ code: late.code, stderr: late.stderr }).toEqual({
    code: 2,
    stderr: expect.stringMatching(/^error: cannot join session "p": .*paused/),
  })
  // The other worker finishes trial 1, whose result is kept, and stops.
  await release(...Array.from({ length: 8 }, (_, i) => i))
  expect(await second.exited).toBe(0)
  expect(second.stdout()).toMatch(/^session "p" was paused, so this worker stopped: this worker evaluated 1 trial;/m)
  for (const w of started) expect(w.stderr().match(/^started trial \d+$/gm)).toHaveLength(1)

  // Resumed, the coordinator commits trial 1's result; a new worker evaluates the 6 others.
  const resumed = startCli([...cfg, ...store, 'resume', 'p'], { cwd, env })
  await resumed.waitFor(/^resumed session "p" at trial 1/)
  const worker = await runCli([...cfg, ...store, 'worker', 'p'], { cwd, env })
  expect(await resumed.exited).toBe(0)
  expect(worker.code).toBe(0)
  expect(worker.stdout).not.toMatch(/^trial [01]: running/m)
  expect(worker.stdout).toMatch(/^session "p" completed: this worker evaluated 6 trials/m)
  // The progress counts the trials workers evaluated (the coordinator evaluates none).
  expect(resumed.stdout().match(/^\d+\/8 trials {2}#\d+ score/gm)).toEqual(
    Array.from({ length: 7 }, (_, i) => expect.stringMatching(new RegExp(`^${i + 2}/8 trials  #${i + 1} `))),
  )
  const trials = await runCli([...cfg, ...store, 'show', 'p', '--json', '--trials', '8'], { cwd })
  const shown = JSON.parse(trials.stdout) as { head: { status: string }; trials: TrialRecord[] }
  expect(shown.head.status).toBe('completed')
  expect(candidatesOf(shown.trials)).toEqual(candidatesOf(await referenceRun('shared-remote')))
})
