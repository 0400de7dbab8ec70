import { createFsStore } from '@cairn/store-fs'
import { removeDir, tempDir } from '@cairn/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { Fingerprinter, WarmStartSession } from '../src/index.js'
import { runFixture } from './helpers.js'

describe('WarmStartSession across processes (@cairn/store-fs)', () => {
  const dirs: string[] = []
  afterEach(async () => {
    for (const d of dirs.splice(0)) await removeDir(d)
  })

  it("a second session in a new process reads the first one's checkpoint, and the first reads back the second's", async () => {
    const dir = await tempDir('cairn-warm-start-')
    dirs.push(dir)
    const key = new Fingerprinter()
      .absorbString('job', 'cross-process')
      .absorbJson('space', { k: [1, 50] })
      .finalize()
    const store = createFsStore({ dir })
    try {
      const first = await WarmStartSession.open(store, key, { runId: 'first-process', producerVersion: 'v1' })
      expect(await first.checkpoint({ from: 'parent', weights: [0.5, -1] }, 0.25, 7)).toBe(true)

      const child = (await runFixture('second-session.ts', [dir, key])) as {
        loaded: { source: string; entry: Record<string, unknown> } | null
        wrote: boolean
        pid: number
      }
      expect(child.pid).not.toBe(process.pid)
      expect(child.loaded).toMatchObject({
        source: 'exact',
        entry: {
          key,
          runId: 'first-process',
          kind: 'checkpoint',
          objective: 0.25,
          iteration: 7,
          producerVersion: 'v1',
          payload: { from: 'parent', weights: [0.5, -1] },
        },
      })
      expect(child.wrote).toBe(true)

      // The child's checkpoint is better (0.125 < 0.25): it now ranks first for everyone.
      expect(await first.tryLoadWithSource()).toMatchObject({
        source: 'exact',
        entry: { runId: 'second-process', objective: 0.125, payload: { from: 'child' } },
      })
    } finally {
      await store.close()
    }
  })
})
