/**
 * The quick start as a user runs it: `cairn run quickstart`, killed with kill -9, then run again
 * (the Ctrl-C case is in quickstart-pause.test.ts: the two run side by side).
 */
import { expect, test } from 'vitest'
import { tempDirEachTest, leaseExpiry, runDemo, TRIALS, trialIndices } from './demo.js'

tempDirEachTest()

test('after a SIGKILL the next run waits for the dead lease and resumes without losing or repeating trials', async () => {
  let killedAfter = 0
  await runDemo((line, kill) => {
    const m = new RegExp(`^(\\d+)/${TRIALS} trials`).exec(line)
    if (m && Number(m[1]) >= 2 && killedAfter === 0) {
      killedAfter = Number(m[1])
      kill('SIGKILL')
    }
  })
  expect(killedAfter).toBeGreaterThanOrEqual(2)
  const committed = await trialIndices()
  expect(committed.length).toBeGreaterThanOrEqual(killedAfter)
  const expiresAt = await leaseExpiry()
  let firstLineAt = 0
  const second = await runDemo(() => (firstLineAt ||= Date.now()))
  expect(second.code).toBe(0)
  // It waits for the dead lease (10 s in the quick start's config) — unless starting the process
  // took longer than that on a busy machine, in which case the lease had lapsed before it looked.
  const waited = /session "quickstart" is still leased by a process that stopped \(.*\); waiting \d+ s for its lease to expire/
  if (!waited.test(second.out)) expect(firstLineAt).toBeGreaterThanOrEqual(expiresAt)
  expect(second.out).toContain(`resumed session "quickstart" at trial ${committed.length}`)
  expect(second.out).toContain(`completed (max-trials): session "quickstart" after ${TRIALS} trials`)
  expect(await trialIndices()).toEqual([...Array(TRIALS).keys()])
}, 180_000)
