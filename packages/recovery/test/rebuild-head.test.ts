// A damaged head whose trial log the store can vouch for is rebuilt from it, its bytes kept
// aside, and the session is resumed — on every real store. Stores damage heads differently:
// fs lists the session `corrupt` at once; level and DynamoDB list it `running` until an
// attempt reads the head and finds it damaged.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CheckpointCorruptError, createMemoryStore, type CheckpointHead } from '@cairn/core'
import { corruptHead } from '@cairn/core/testing'
import { createLevelStore } from '@cairn/store-level'
import { afterEach, describe, expect, it } from 'vitest'
import type { RecoveryEvent } from '../src/index.js'
import { JOB, otherWalk, quadratic, walk } from './fixtures/job.js'
import { harness, stopMonitors, type Harness } from './helpers/harness.js'
import { until } from './helpers/manual-time.js'
import { REAL_STORES, rawLevel, type RealStore } from './helpers/real-stores.js'
import { plantOrphan, range, trialLog } from './helpers/stores.js'

let real: RealStore | undefined
afterEach(async () => {
  await stopMonitors()
  await real?.close()
  real = undefined
})

/** Fs folds its journal every eight records: after eight trials the journal is one record (see `damageHead`). */
const DONE = 8
const MAX = 12

async function polls(h: Harness, until_: () => boolean, max = 12): Promise<void> {
  for (let i = 0; i < max && !until_(); i++) {
    await until(() => h.idle(), 'idle')
    await h.time.advance(1_000)
  }
  await until(() => h.idle(), 'idle')
}

const jobs = (rebuild: object = { maxTrials: MAX }, optimizer = walk) => ({
  [JOB]: { optimizer, objective: quadratic(0), rebuild },
})

describe.each(REAL_STORES)('rebuilding a damaged head (%s)', (_name, open) => {
  it('rebuilds it from the trial log, keeps the damaged bytes aside, says what was lost, and resumes the session', async () => {
    real = await open()
    await plantOrphan(real.store, { sessionId: 'rotten', trialsDone: DONE, maxTrials: MAX })
    const before = await real.store.readTrials('rotten')
    const damagedBytes = await real.damageHead('rotten')
    await expect(real.store.load('rotten')).rejects.toBeInstanceOf(CheckpointCorruptError)

    const h = harness({ store: real.store, jobs: jobs() })
    h.monitor.start()
    await polls(h, () => h.of('completed').length === 1)

    const rebuilt = h.of('rebuilt', 'rotten')
    expect(rebuilt).toHaveLength(1)
    expect(rebuilt[0]).toMatchObject({ trials: DONE, status: 'running', problem: expect.stringMatching(/corrupt/) })
    const keptAs = rebuilt[0]?.keptAs as string
    if (real.readKept) expect(Buffer.from((await real.readKept(keptAs)) ?? [])).toEqual(Buffer.from(damagedBytes))
    expect(rebuilt[0]?.lost.join('; ')).toMatch(/optimizer state.*seed/)
    const types = h.events.filter((e) => (e as { sessionId?: string }).sessionId === 'rotten').map((e) => e.type)
    expect(types.indexOf('rebuilt')).toBeLessThan(types.indexOf('started'))
    expect(h.of('completed')[0]?.result).toMatchObject({ status: 'completed', progress: { attempts: MAX } })
    expect(h.of('exhausted')).toEqual([])

    // Every trial of the damaged session is kept as it was; the rest were run after the rebuild.
    const after = await real.store.readTrials('rotten')
    expect(after.map((t) => t.trialIdx)).toEqual(range(MAX))
    expect(after.slice(0, DONE)).toEqual(before)
    const head: CheckpointHead = await real.store.load('rotten')
    expect(head).toMatchObject({ status: 'completed', job: JOB, limits: { maxTrials: MAX } })
    expect(head.recovery?.rebuiltAt).toEqual(expect.any(Number))
  })
})

describe('rebuilding a damaged head: when not to', () => {
  const GARBAGE = new TextEncoder().encode('bit rot')
  const damaged = async (): Promise<ReturnType<typeof createMemoryStore>> => {
    const store = createMemoryStore()
    await plantOrphan(store, { sessionId: 'rotten', trialsDone: 3, maxTrials: MAX })
    await corruptHead(store, 'rotten', GARBAGE)
    return store
  }
  const quarantined = async (h: Harness): Promise<RecoveryEvent[]> => {
    h.monitor.start()
    await polls(h, () => h.of('exhausted').length === 1)
    return h.events
  }

  it('with rebuildCorruptHeads false: quarantined, nothing written', async () => {
    const store = await damaged()
    const h = harness({ store, jobs: jobs(), policy: { rebuildCorruptHeads: false } })
    await quarantined(h)
    expect(h.of('rebuilt')).toEqual([])
    expect(h.of('exhausted')).toMatchObject([{ reason: 'corrupt' }])
    expect(store.damagedHeads('rotten')).toEqual([])
  })

  it('when the job runs another optimizer: quarantined, saying why it was not rebuilt', async () => {
    const store = await damaged()
    const h = harness({ store, jobs: jobs({ maxTrials: MAX }, otherWalk) })
    await quarantined(h)
    expect(h.of('rebuilt')).toEqual([])
    const error = h.of('exhausted')[0]?.error as Error
    expect(error).toBeInstanceOf(CheckpointCorruptError)
    expect(error.message).toMatch(/not rebuilt: cannot resume: optimizer-id differs.*quarantined, not retried/)
    expect(store.damagedHeads('rotten')).toEqual([])
  })

  it('without a trial budget: rebuilt paused, for a person to resume with one; the monitor leaves it alone', async () => {
    const store = await damaged()
    const h = harness({ store, jobs: jobs({}) })
    h.monitor.start()
    await polls(h, () => h.of('rebuilt').length === 1)
    await polls(h, () => false, 3)
    expect(h.of('rebuilt')).toMatchObject([{ status: 'paused', lost: expect.arrayContaining([expect.stringMatching(/trial budget/)]) }])
    expect(h.of('started')).toEqual([])
    expect(await trialLog(store, 'rotten')).toMatchObject({ status: 'paused', attempts: 3 })
    expect(store.damagedHeads('rotten')).toEqual([GARBAGE])
  })

  it('when the damage is not in the head (a trial record): quarantined with that error, once, nothing rebuilt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-recovery-trial-rot-'))
    try {
      let store = createLevelStore({ location: dir })
      await plantOrphan(store, { sessionId: 'rotten', trialsDone: 3, maxTrials: MAX })
      await store.close()
      const raw = rawLevel(dir)
      await raw.put('!trial!rotten:000000000001', new TextEncoder().encode('bit rot'))
      await raw.close()
      store = createLevelStore({ location: dir })
      const h = harness({ store, jobs: jobs() })
      await quarantined(h)
      await polls(h, () => false, 3)
      expect(h.events.map((e) => e.type)).toEqual(['detected', 'failed', 'exhausted'])
      expect(h.of('failed')[0]).toMatchObject({ willRetry: true })
      expect(h.of('exhausted')[0]).toMatchObject({ reason: 'corrupt' })
      expect(h.of('exhausted')[0]?.error).toMatchObject({ message: expect.stringMatching(/trial 1 of session "rotten"/) })
      expect(await store.salvage('rotten')).toBeNull()
      await h.monitor.stop()
      await store.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
