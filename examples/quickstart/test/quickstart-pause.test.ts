/**
 * The quick start as a user runs it: `cairn run quickstart`, interrupted with Ctrl-C, then run
 * again (the SIGKILL case is in quickstart-kill.test.ts: the two run side by side).
 */
import { expect, test } from 'vitest'
import { tempDirEachTest, runDemo, TRIALS, trialIndices } from './demo.js'

tempDirEachTest()

test('Ctrl-C pauses after the trial in flight; running again resumes the same session to the end', async () => {
  let sent = false
  const first = await runDemo((line, kill) => {
    if (!sent && line.startsWith(`3/${TRIALS} trials`)) {
      sent = true
      kill('SIGINT')
    }
  })
  expect(first.code).toBe(0)
  expect(first.out).toContain('started session "quickstart"')
  expect(first.out).toContain('pausing after the trial in flight')
  const pausedAt = Number(/paused session "quickstart" after (\d+) trials/.exec(first.out)?.[1])
  expect(pausedAt).toBeGreaterThanOrEqual(3)
  expect(first.out).toMatch(/resume with: .*resume quickstart/)

  const second = await runDemo()
  expect(second.code).toBe(0)
  expect(second.out).toContain(`resumed session "quickstart" at trial ${pausedAt}`)
  expect(second.out).toContain(`completed (max-trials): session "quickstart" after ${TRIALS} trials`)
  expect(await trialIndices()).toEqual([...Array(TRIALS).keys()])

  // Once finished, running it again says so and how to start over.
  const third = await runDemo()
  expect(third.code).toBe(0)
  expect(third.out).toMatch(/session "quickstart" already completed: 8 trials, best \d\.\d+ at trial \d+/)
  expect(third.out).toMatch(/to start over: `.*rm quickstart`, then .* again/)
})
