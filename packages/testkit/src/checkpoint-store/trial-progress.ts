import { MAX_TRIAL_PROGRESS_BYTES } from '@cairn/core'
import type { CheckpointStore, StoredTrialProgress } from '@cairn/core'
import type { StoreFixture } from '../fixture.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { describeBytes, patternBytes, readPattern, sameBytes } from '../helpers/progress-bytes.js'
import type { StoreChildConfig } from '../process/protocol.js'
import { spawnChild } from '../process/spawn.js'
import { createSession, type StoreSuite } from './context.js'
import { childOf } from './processes.js'

/** The three progress methods, present (a store declaring `trialProgress` must have them). */
export type ProgressStore = CheckpointStore &
  Required<Pick<CheckpointStore, 'saveTrialProgress' | 'loadTrialProgress' | 'deleteTrialProgress'>>

const PROGRESS_METHODS = ['saveTrialProgress', 'loadTrialProgress', 'deleteTrialProgress'] as const

/** The store with its progress methods, or an error saying which one a store declaring `trialProgress` lacks. */
export function progressStore(store: CheckpointStore): ProgressStore {
  const missing = PROGRESS_METHODS.filter((m) => typeof store[m] !== 'function')
  if (missing.length > 0) throw new Error(`[@cairn/testkit] the store declares capabilities.trialProgress but has no ${missing.join(', ')}`)
  return store as ProgressStore
}

/** What a loaded progress is, for assertions: its token and which pattern its bytes hold. */
function summary(p: StoredTrialProgress | null) {
  return p && { token: p.token, bytes: describeBytes(p.bytes) }
}

/** The same summary for a save about to be made. */
function expected(token: number, bytes: Uint8Array) {
  return { token, bytes: describeBytes(bytes) }
}

/**
 * Trial progress (a running trial's intermediate values and checkpoint): save and load, fencing
 * by token (the highest wins, a lower one is refused and writes nothing, an equal one
 * overwrites), delete, unknown sessions, malformed input, the size limit, damage, and (durable
 * multi-process stores) a writer SIGKILLed mid-save. Gated on the declared capability
 * `trialProgress`.
 */
export function registerTrialProgress(s: StoreSuite): void {
  const { expect } = s.runner
  const needs = { ok: s.capabilities.trialProgress === true, what: 'trialProgress' }
  const it = (name: string, fn: (store: ProgressStore, fx: StoreFixture<CheckpointStore>) => Promise<void>, timeoutMs?: number) =>
    s.itIf(needs, `trial progress: ${name}`, async (fx) => fn(progressStore(fx.store), fx), timeoutMs)

  it('a save reads back byte for byte with its token; a trial never saved, or of another index, loads null', async (store) => {
    const { sessionId: id } = await createSession(store)
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
    const bytes = patternBytes(1, 1000)
    await store.saveTrialProgress(id, 2, 5, bytes)
    const loaded = await store.loadTrialProgress(id, 2)
    expect(summary(loaded)).toEqual(expected(5, bytes))
    expect(loaded && sameBytes(loaded.bytes, bytes)).toBe(true)
    expect(loaded?.bytes).toBeInstanceOf(Uint8Array)
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
    expect(await store.loadTrialProgress(id, 3)).toBeNull()
    expect(await store.loadTrialProgress(id, 20)).toBeNull()
  })

  it('empty progress (zero bytes) is a save like any other', async (store) => {
    const { sessionId: id } = await createSession(store)
    await store.saveTrialProgress(id, 0, 1, new Uint8Array(0))
    const loaded = await store.loadTrialProgress(id, 0)
    expect(loaded?.token).toBe(1)
    expect(loaded?.bytes.length).toBe(0)
  })

  it('the highest token wins; an equal token overwrites (the latest save); each trial is fenced on its own', async (store) => {
    const { sessionId: id } = await createSession(store)
    await store.saveTrialProgress(id, 0, 1, patternBytes(1, 100))
    const second = patternBytes(2, 300)
    await store.saveTrialProgress(id, 0, 3, second)
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(3, second))
    const third = patternBytes(3, 50)
    await store.saveTrialProgress(id, 0, 3, third)
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(3, third))
    // Another trial of the same session keeps its own tokens.
    const other = patternBytes(4, 64)
    await store.saveTrialProgress(id, 1, 1, other)
    expect(summary(await store.loadTrialProgress(id, 1))).toEqual(expected(1, other))
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(3, third))
  })

  it('a lower token than the highest stored: LEASE_LOST, and nothing is written', async (store) => {
    const { sessionId: id } = await createSession(store)
    const kept = patternBytes(1, 200)
    await store.saveTrialProgress(id, 1, 4, kept)
    for (const token of [3, 1])
      expect(await settle(store.saveTrialProgress(id, 1, token, patternBytes(2, 400)))).toMatchObject(rejectedWith('LEASE_LOST'))
    expect(summary(await store.loadTrialProgress(id, 1))).toEqual(expected(4, kept))
    // The holder of the highest token carries on.
    const next = patternBytes(3, 10)
    await store.saveTrialProgress(id, 1, 4, next)
    expect(summary(await store.loadTrialProgress(id, 1))).toEqual(expected(4, next))
  })

  it('deleteTrialProgress removes every save of the trial, and only of that trial; it is idempotent', async (store) => {
    const { sessionId: id } = await createSession(store)
    await store.deleteTrialProgress(id, 0)
    await store.saveTrialProgress(id, 0, 1, patternBytes(1, 100))
    await store.saveTrialProgress(id, 0, 2, patternBytes(2, 100))
    const other = patternBytes(3, 100)
    await store.saveTrialProgress(id, 1, 2, other)
    await store.deleteTrialProgress(id, 0)
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
    await store.deleteTrialProgress(id, 0)
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
    expect(summary(await store.loadTrialProgress(id, 1))).toEqual(expected(2, other))
    // A later run of the trial saves afresh.
    const again = patternBytes(4, 100)
    await store.saveTrialProgress(id, 0, 2, again)
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(2, again))
  })

  it('delete(session) removes its progress: a session created anew under the same id has none', async (store) => {
    const created = await createSession(store)
    const id = created.sessionId
    await store.saveTrialProgress(id, 0, 1, patternBytes(1, 100))
    await store.saveTrialProgress(id, 3, 1, patternBytes(2, 100))
    await store.delete(id)
    expect(await settle(store.loadTrialProgress(id, 0))).toMatchObject(rejectedWith('NOT_FOUND'))
    await createSession(store, { sessionId: id })
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
    expect(await store.loadTrialProgress(id, 3)).toBeNull()
  })

  it('an unknown session: save and load → NOT_FOUND; save creates nothing', async (store) => {
    expect(await settle(store.saveTrialProgress('no-such-session', 0, 1, patternBytes(1, 10)))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.loadTrialProgress('no-such-session', 0))).toMatchObject(rejectedWith('NOT_FOUND'))
    const deleted = await settle(store.deleteTrialProgress('no-such-session', 0))
    if (deleted.outcome === 'rejected') expect(deleted).toMatchObject(rejectedWith('NOT_FOUND'))
    expect((await store.list()).items.map((l) => l.sessionId)).not.toContain('no-such-session')
    const { sessionId: id } = await createSession(store)
    await store.delete(id)
    expect(await settle(store.saveTrialProgress(id, 0, 1, patternBytes(1, 10)))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.loadTrialProgress(id, 0))).toMatchObject(rejectedWith('NOT_FOUND'))
  })

  it('malformed input (trial index, token, bytes, session id) → INVALID_INPUT, nothing written', async (store) => {
    const { sessionId: id } = await createSession(store)
    const kept = patternBytes(1, 100)
    await store.saveTrialProgress(id, 0, 2, kept)
    const bytes = patternBytes(2, 100)
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['trialIdx -1', () => store.saveTrialProgress(id, -1, 2, bytes)],
      ['trialIdx 0.5', () => store.saveTrialProgress(id, 0.5, 2, bytes)],
      ['trialIdx NaN', () => store.saveTrialProgress(id, Number.NaN, 2, bytes)],
      ['trialIdx "0"', () => store.saveTrialProgress(id, '0' as unknown as number, 2, bytes)],
      ['token -2', () => store.saveTrialProgress(id, 0, -2, bytes)],
      ['token 2.5', () => store.saveTrialProgress(id, 0, 2.5, bytes)],
      ['token Infinity', () => store.saveTrialProgress(id, 0, Number.POSITIVE_INFINITY, bytes)],
      ['token "3"', () => store.saveTrialProgress(id, 0, '3' as unknown as number, bytes)],
      ['bytes a string', () => store.saveTrialProgress(id, 0, 2, 'bytes' as unknown as Uint8Array)],
      ['bytes an array', () => store.saveTrialProgress(id, 0, 2, [1, 2, 3] as unknown as Uint8Array)],
      ['bytes an ArrayBuffer', () => store.saveTrialProgress(id, 0, 2, new ArrayBuffer(4) as unknown as Uint8Array)],
      ['bytes null', () => store.saveTrialProgress(id, 0, 2, null as unknown as Uint8Array)],
      ['session id with a slash', () => store.saveTrialProgress('a/b', 0, 2, bytes)],
      ['load trialIdx -1', () => store.loadTrialProgress(id, -1)],
      ['load trialIdx 1.5', () => store.loadTrialProgress(id, 1.5)],
      ['load session id ""', () => store.loadTrialProgress('', 0)],
      ['delete trialIdx -1', () => store.deleteTrialProgress(id, -1)],
      ['delete trialIdx 0.5', () => store.deleteTrialProgress(id, 0.5)],
    ]
    for (const [what, call] of bad) expect({ what, ...(await settle(call())) }).toMatchObject({ what, ...rejectedWith('INVALID_INPUT') })
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(2, kept))
  })

  it(`exactly MAX_TRIAL_PROGRESS_BYTES (${MAX_TRIAL_PROGRESS_BYTES}) is accepted and reads back byte for byte; one byte more → INVALID_INPUT`, async (store) => {
    const { sessionId: id } = await createSession(store)
    const max = patternBytes(7, MAX_TRIAL_PROGRESS_BYTES)
    await store.saveTrialProgress(id, 0, 1, max)
    const loaded = await store.loadTrialProgress(id, 0)
    expect(summary(loaded)).toEqual(expected(1, max))
    const over = new Uint8Array(MAX_TRIAL_PROGRESS_BYTES + 1)
    expect(await settle(store.saveTrialProgress(id, 0, 2, over))).toMatchObject(rejectedWith('INVALID_INPUT'))
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(1, max))
    // A large save replaced by a small one leaves only the small one.
    const small = patternBytes(8, 100)
    await store.saveTrialProgress(id, 0, 1, small)
    expect(summary(await store.loadTrialProgress(id, 0))).toEqual(expected(1, small))
  }, 120_000)

  const damageTitle = 'damaged progress: load → CHECKPOINT_CORRUPT, never wrong bytes; a new save with the same token repairs it'
  const damageTest = async (fx: StoreFixture<CheckpointStore>) => {
    const store = progressStore(fx.store)
    const fault = fx.corruptTrialProgress
    if (typeof fault !== 'function') throw new Error('[@cairn/testkit] the fixture gives no corruptTrialProgress')
    const { sessionId: id } = await createSession(store)
    await store.saveTrialProgress(id, 1, 3, patternBytes(1, 1000))
    await store.saveTrialProgress(id, 1, 3, patternBytes(2, 2000))
    await fault(id, 1)
    expect(await settle(store.loadTrialProgress(id, 1))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    const fresh = patternBytes(3, 1500)
    await store.saveTrialProgress(id, 1, 3, fresh)
    expect(summary(await store.loadTrialProgress(id, 1))).toEqual(expected(3, fresh))
  }
  if (needs.ok) s.itWithHook('corruptTrialProgress', `trial progress: ${damageTitle}`, damageTest)
  else s.itIf(needs, `trial progress: ${damageTitle}`, damageTest)

  s.itIf(
    { ok: needs.ok && s.capabilities.durable && s.capabilities.multiProcess, what: 'trialProgress + durable + multiProcess' },
    'trial progress: a child SIGKILLed while saving 1–3 MB in a loop leaves a complete save (never a mix); the same token saves on',
    async (fx) => {
      const store = progressStore(fx.store)
      const child = childOf(fx)
      const { sessionId: id } = await createSession(store)
      const config: StoreChildConfig = {
        mode: 'progress-loop',
        ...child,
        sessionId: id,
        trialIdx: 2,
        token: 7,
        minBytes: 1024 * 1024,
        maxBytes: 3 * 1024 * 1024,
      }
      const proc = spawnChild('store-child', config, [child.module])
      // A random moment: after a random number of acknowledged saves, a random instant into the next ones.
      const after = 2 + Math.floor(Math.random() * 6)
      let acknowledged = 0
      try {
        await proc.next((m: { ready?: boolean }) => m.ready === true, 60_000)
        await proc.next((m: { saved?: number }) => (m.saved ?? 0) >= after, 60_000)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 15))
      } finally {
        await proc.kill()
      }
      for (const m of proc.messages as Array<{ saved?: number }>) acknowledged = Math.max(acknowledged, m.saved ?? 0)

      const loaded = await store.loadTrialProgress(id, 2)
      expect(loaded?.token).toBe(7)
      const found = readPattern(loaded?.bytes ?? new Uint8Array(0))
      // One whole save: the last acknowledged one, or the one in flight when the kill landed.
      expect({ k: found.k, intact: found.intact }).toEqual({ k: found.k, intact: true })
      expect([acknowledged, acknowledged + 1]).toContain(found.k)

      const next = patternBytes(1_000, 2 * 1024 * 1024)
      await store.saveTrialProgress(id, 2, 7, next)
      expect(summary(await store.loadTrialProgress(id, 2))).toEqual(expected(7, next))
    },
    120_000,
  )
}
