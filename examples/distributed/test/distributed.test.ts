import { expect, test } from 'vitest'
import { childNodeArgs } from '../../../vitest.children.js'
import { runDemo } from '../src/demo.js'
import { dynamoDbEndpoint } from './endpoint.js'

// Real parts: DynamoDB Local (Java, shared by the run), three worker processes and a monitor
// process; the victim gets a real SIGKILL. Leases of 5 s (renewed every 1.25 s) so that a worker
// starved of CPU on a loaded machine keeps its lease; nothing here is timed.
test('a SIGKILLed worker’s session is finished by the recovery monitor: every trial index exactly once', async () => {
  const report = await runDemo({
    endpoint: dynamoDbEndpoint(),
    workers: 3,
    victim: 1,
    killAfterTrials: 4,
    maxTrials: 14,
    delayMs: 120,
    leaseTtlMs: 5_000,
    timeoutMs: 150_000,
    nodeArgs: childNodeArgs,
  })

  const killed = report.sessions.find((s) => s.killed)!
  expect(killed.sessionId).toBe(report.kill.sessionId)
  expect(report.kill.afterTrials).toBeGreaterThanOrEqual(4)
  expect(killed.status).toBe('completed')
  expect(killed.attempts).toBe(14)
  expect(killed.trialIdxs).toEqual(Array.from({ length: 14 }, (_, i) => i)) // each index once, in order
  // The victim died holding its lease: recovery waited for that lease to expire, not for a new
  // worker, and the monitor took it over only after the kill, under a newer fencing token.
  expect(report.kill.leaseAtKill?.owner).toBe(killed.worker)
  const victimToken = report.kill.leaseAtKill!.fencingToken
  expect(killed.fencingTokens[killed.worker]).toEqual([victimToken])
  expect(Math.min(...killed.fencingTokens['monitor']!)).toBeGreaterThan(victimToken)
  // The monitor drove the rest, after the dead worker's last commit.
  const byMonitor = killed.committedBy['monitor'] ?? []
  const byWorker = killed.committedBy[killed.worker] ?? []
  expect(byMonitor.length).toBeGreaterThan(0)
  expect(byMonitor.filter((i) => byWorker.includes(i))).toEqual([])
  expect(Math.min(...byMonitor)).toBeGreaterThanOrEqual(report.kill.afterTrials)
  // …and the session is the one an uninterrupted run produces: same candidates, same scores.
  expect(killed.matchesUninterrupted).toBe(true)
  expect(report.monitorEvents).toContainEqual({ type: 'detected', sessionId: killed.sessionId, reason: 'lease-expired' })
  expect(report.monitorEvents).toContainEqual({ type: 'completed', sessionId: killed.sessionId })

  // The other sessions complete too, each trial once, and match their uninterrupted runs.
  for (const s of report.sessions) {
    expect({ id: s.sessionId, status: s.status, trialIdxs: s.trialIdxs, same: s.matchesUninterrupted }).toEqual({
      id: s.sessionId,
      status: 'completed',
      trialIdxs: Array.from({ length: 14 }, (_, i) => i),
      same: true,
    })
  }
}, 180_000)
