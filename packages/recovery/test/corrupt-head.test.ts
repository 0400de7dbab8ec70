import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CheckpointCorruptError } from '@cairn/core'
import { createFsStore, type FsStore } from '@cairn/store-fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { harness, stopMonitors } from './helpers/harness.js'
import { until } from './helpers/manual-time.js'
import { plantOrphan, range, trialLog } from './helpers/stores.js'

let dir: string
let store: FsStore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-recovery-corrupt-'))
  store = createFsStore({ dir, durable: false })
})

afterEach(async () => {
  await stopMonitors()
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

const GARBAGE = 'this is not a Cairn record at all'

/**
 * Damages a session's stored head for real, whatever the store's file layout: every file of
 * the session but its lease is overwritten with garbage. Returns the paths written.
 */
async function garble(id: string): Promise<string[]> {
  const sessionDir = join(dir, 'sessions', id)
  const files = (await readdir(sessionDir)).filter((f) => f !== 'lease').map((f) => join(sessionDir, f))
  for (const file of files) await writeFile(file, GARBAGE)
  return files
}

describe('a corrupt head (fs store, bytes really damaged)', () => {
  it('reports a head listed as corrupt once, quarantines it, and still recovers the healthy sessions', async () => {
    await plantOrphan(store, { sessionId: 'healthy', trialsDone: 2, maxTrials: 6 })
    await plantOrphan(store, { sessionId: 'garbled', trialsDone: 2, maxTrials: 6 })
    const damaged = await garble('garbled')
    expect((await store.list({ status: 'corrupt' })).items.map((l) => l.sessionId)).toEqual(['garbled'])

    const onFailure = vi.fn()
    const h = harness({ store, policy: { onFailure } })
    h.monitor.start()
    for (let i = 0; i < 10; i++) {
      await h.step(1_000)
      await until(() => h.monitor.status().inFlight.length === 0, 'idle')
    }
    await until(() => h.of('completed').length === 1, 'healthy completed')
    expect(h.of('detected', 'garbled')).toMatchObject([{ reason: 'corrupt', listing: { status: 'corrupt' } }])
    expect(h.of('failed', 'garbled')).toEqual([]) // never attempted
    expect(h.of('exhausted', 'garbled')).toHaveLength(1)
    const exhausted = h.of('exhausted', 'garbled')[0]
    expect(exhausted).toMatchObject({ reason: 'corrupt', attempts: 0 })
    expect(exhausted?.error).toBeInstanceOf(CheckpointCorruptError)
    expect((exhausted!.error as Error).message).toMatch(/quarantined, not retried/)
    expect(onFailure).toHaveBeenCalledTimes(1)
    expect(h.monitor.status().quarantined).toMatchObject([{ sessionId: 'garbled', reason: 'corrupt' }])
    expect(await trialLog(store, 'healthy')).toMatchObject({ status: 'completed', indices: range(6) })
    // The damaged bytes are left for inspection.
    for (const file of damaged) expect(await readFile(file, 'utf8')).toBe(GARBAGE)

    // Deleting the session clears it from the quarantine on the next poll.
    await store.delete('garbled')
    await h.step(1_000)
    expect(h.monitor.status().quarantined).toEqual([])
  })
})
