import { expect, test } from 'vitest'
import { runDemo } from '../src/demo.js'

// Real parts: DynamoDB Local (Java), three worker processes and a monitor process; the victim
// gets a real SIGKILL. Most of the time goes into starting Java and the Node processes.
test('a SIGKILLed worker’s session is finished by the recovery monitor: every trial index exactly once', async () => {
  const report = await runDemo({ workers: 3, victim: 1, killAfterTrials: 4, maxTrials: 14, delayMs: 120, timeoutMs: 150_000 })

  const killed = report.sessions.find((s) => s.killed)!
  expect(killed.sessionId).toBe(report.kill.sessionId)
  expect(report.kill.afterTrials).toBeGreaterThanOrEqual(4)
  expect(killed.status).toBe('completed')
  expect(killed.attempts).toBe(14)
  expect(killed.trialIdxs).toEqual(Array.from({ length: 14 }, (_, i) => i)) // each index once, in order
  // The monitor drove the rest, under a newer fencing token than the dead worker's.
  const byMonitor = killed.committedBy['monitor'] ?? []
  const byWorker = killed.committedBy[killed.worker] ?? []
  expect(byMonitor.length).toBeGreaterThan(0)
  expect(byMonitor.filter((i) => byWorker.includes(i))).toEqual([])
  expect(Math.min(...byMonitor)).toBeGreaterThanOrEqual(report.kill.afterTrials)
  expect(Math.min(...killed.fencingTokens['monitor']!)).toBeGreaterThan(Math.max(...killed.fencingTokens[killed.worker]!))
  // …and the session is the one an uninterrupted run produces: same candidates, same scores.
  expect(killed.matchesUninterrupted).toBe(true)
  // Recovery waited for the dead worker's lease to expire (ttl 2 s), not for a new worker.
  expect(report.recovery.detectedMs).toBeGreaterThan(0)
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
