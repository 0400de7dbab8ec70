// watchSession: a wake-up hint from fs.watch. Another store instance (as another process would)
// commits and writes slots; the watcher is told `head` and `slots`, and nothing once unwatched.
import { expect, it } from 'vitest'
import type { SessionChange } from '@cairn/core'
import { createFsStore } from '../src/index.js'
import { advance, newHead, trial } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')

/** Which changes were told so far (by the listener of each kind), and a promise of the next one of a kind. */
function recorder() {
  const told: SessionChange[] = []
  const waiting: Array<{ change: SessionChange; resolve: () => void }> = []
  const listener = (change: SessionChange) => (): void => {
    told.push(change)
    for (const w of waiting.filter((w) => w.change === change)) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve()
    }
  }
  const next = (change: SessionChange): Promise<void> => new Promise((resolve) => waiting.push({ change, resolve }))
  return { told, listener, next }
}

it('tells of slots written and of commits made by another store instance, until unwatched', async () => {
  const writer = createFsStore({ dir })
  const watcher = createFsStore({ dir })
  const shared = newHead('s', { evaluation: 'shared', pending: [{ trialIdx: 0, candidate: { x: 0 } }] })
  await writer.create(shared)
  const r = recorder()
  const unwatchSlots = watcher.watchSession('s', 'slots', r.listener('slots'))
  const unwatchHead = watcher.watchSession('s', 'head', r.listener('head'))

  const slots = r.next('slots')
  const claim = await writer.claimTrial('s', { trialIdx: 0, owner: 'w', ttlMs: 60_000 })
  await slots // the first slot write makes the slots directory: watched from then on
  const reported = r.next('slots')
  await writer.reportTrialResult('s', claim, { candidate: { x: 0 }, evaluation: { status: 'ok', score: 1, durationMs: 1 } })
  await reported

  const head = r.next('head')
  await writer.commit('s', { expectedRevision: 0, fencingToken: 1, head: advance(shared, 1), trials: [trial(0)] }) // the creator's lease
  await head
  expect(r.told.filter((c) => c === 'head').length).toBeGreaterThan(0)

  unwatchSlots()
  unwatchHead()
  const before = r.told.length
  // A watcher still on is told of the next claim: by then the closed ones would have been too.
  const other = recorder()
  const otherNext = other.next('slots')
  const unwatchOther = watcher.watchSession('s', 'slots', other.listener('slots'))
  await writer.claimTrial('s', { trialIdx: 1, owner: 'w', ttlMs: 60_000 })
  await otherNext
  unwatchOther()
  expect(r.told.length).toBe(before)
  await writer.close()
  await watcher.close()
})

it('watches nothing, and throws nothing, for a session that has no directory yet', async () => {
  const store = createFsStore({ dir })
  const r = recorder()
  store.watchSession('none', 'head', r.listener('head'))()
  store.watchSession('none', 'slots', r.listener('slots'))()
  expect(r.told).toEqual([])
  await store.close()
})
