// A monitor can be scoped to chosen sessions (`monitorSession` / `stopMonitoring`, or the
// `sessions` option). Scoping is the monitor's own bookkeeping over what `list` returns, so the
// fs and level stores suffice (DynamoDB Local runs the attempt-count and rebuild tests).
import { afterEach, describe, expect, it } from 'vitest'
import { harness, stopMonitors, type Harness } from './helpers/harness.js'
import { until } from './helpers/manual-time.js'
import { REAL_STORES, type RealStore } from './helpers/real-stores.js'
import { plantOrphan, trialLog } from './helpers/stores.js'

let real: RealStore | undefined
afterEach(async () => {
  await stopMonitors()
  await real?.close()
  real = undefined
})

/** A few polls, each let to finish (and whatever it started). */
async function polls(h: Harness, n = 3): Promise<void> {
  for (let i = 0; i < n; i++) {
    await until(() => h.idle(), 'idle')
    await h.time.advance(1_000)
  }
  await until(() => h.idle(), 'idle')
}

const touched = (h: Harness): string[] => [...new Set(h.events.map((e) => (e as { sessionId?: string }).sessionId ?? '-'))].sort()

describe.each(REAL_STORES.filter(([name]) => name !== 'dynamodb'))('scoped monitoring (%s)', (_name, open) => {
  it('watches only the sessions it is given; monitorSession adds one, stopMonitoring takes one out', async () => {
    real = await open()
    for (const id of ['a', 'b', 'c']) await plantOrphan(real.store, { sessionId: id, trialsDone: 1, maxTrials: 3 })
    const h = harness({ store: real.store, sessions: ['a'] })
    expect(h.monitor.status().scope).toEqual(['a'])
    h.monitor.start()
    await polls(h)
    expect(touched(h)).toEqual(['a'])
    expect(h.of('completed', 'a')).toHaveLength(1)

    h.monitor.monitorSession('b')
    expect(h.monitor.isMonitoring('b')).toBe(true)
    await polls(h)
    expect(touched(h)).toEqual(['a', 'b'])
    expect(h.of('completed', 'b')).toHaveLength(1)

    // With the last named session taken out, it watches none (not all).
    h.monitor.stopMonitoring('a')
    h.monitor.stopMonitoring('b')
    expect(h.monitor.status().scope).toEqual([])
    await polls(h)
    expect(touched(h)).toEqual(['a', 'b'])
    expect(await trialLog(real.store, 'c')).toMatchObject({ status: 'running', attempts: 1 })

    h.monitor.monitorAllSessions()
    expect(h.monitor.status().scope).toBe('all')
    await polls(h)
    expect(h.of('completed', 'c')).toHaveLength(1)
  })

  it('watching all, stopMonitoring excludes one session, and forgets its quarantine', async () => {
    real = await open()
    await plantOrphan(real.store, { sessionId: 'kept', trialsDone: 1, maxTrials: 3 })
    await plantOrphan(real.store, { sessionId: 'left-alone', trialsDone: 1, maxTrials: 3 })
    await plantOrphan(real.store, { sessionId: 'no-job', trialsDone: 1, maxTrials: 3, job: null })
    const h = harness({ store: real.store })
    h.monitor.stopMonitoring('left-alone')
    h.monitor.start()
    await polls(h)
    expect(h.of('completed').map((e) => e.sessionId)).toEqual(['kept'])
    expect(h.of('detected', 'left-alone')).toEqual([])
    expect(await trialLog(real.store, 'left-alone')).toMatchObject({ status: 'running', attempts: 1 })
    expect(h.monitor.status().quarantined.map((q) => q.sessionId)).toEqual(['no-job'])
    h.monitor.stopMonitoring('no-job')
    expect(h.monitor.status().quarantined).toEqual([])
    expect(h.monitor.isMonitoring('no-job')).toBe(false)
  })
})

describe('scoping: bad input', () => {
  it('refuses a malformed session id', () => {
    const h = harness()
    expect(() => h.monitor.monitorSession('../x')).toThrow(/session/)
    expect(() => h.monitor.stopMonitoring('')).toThrow()
  })
})
