import { rejectedWith, settle } from '../helpers/outcome.js'
import { makeTrial, nextHead } from '../helpers/head.js'
import { commitNext, createSession, type StoreSuite } from './context.js'
import type { CheckpointStore, CommitResult, SessionStatus } from '@cairn/core'

async function commitOne(store: CheckpointStore, id: string, status: SessionStatus = 'running'): Promise<CommitResult> {
  const head = await store.load(id)
  const trials = [makeTrial(head.progress.attempts)]
  return store.commit(id, {
    expectedRevision: head.revision,
    fencingToken: head.lease!.fencingToken,
    head: nextHead(head, trials, { status }),
    trials,
  })
}

/** requestControl: the pause / cancel flag another process raises. */
export function registerControl(s: StoreSuite): void {
  const { expect } = s.runner

  s.it('requestControl: the flag comes back on the next commit until a non-running commit clears it', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    expect((await commitOne(store, id)).control).toBeNull()
    await store.requestControl(id, 'pause')
    expect((await commitOne(store, id)).control).toBe('pause')
    // Not honoured yet (still running): still raised.
    expect((await commitOne(store, id)).control).toBe('pause')
    // The driver honours it with a non-running commit, which clears it.
    await commitOne(store, id, 'paused')
    // Resumed later: no stale flag.
    expect((await commitOne(store, id, 'running')).control).toBeNull()
    expect((await commitOne(store, id)).control).toBeNull()
  })

  s.it('requestControl: cancel after pause is reported as cancel', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await store.requestControl(id, 'pause')
    await store.requestControl(id, 'cancel')
    expect((await commitOne(store, id)).control).toBe('cancel')
    await commitOne(store, id, 'cancelled')
    expect((await store.load(id)).status).toBe('cancelled')
  })

  s.it('requestControl is a no-op when the session is not running', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await commitNext(store, id, { trials: [], head: { status: 'paused' } })
    const before = await store.load(id)
    await store.requestControl(id, 'cancel')
    expect(await store.load(id)).toEqual(before)
    // When it runs again, there is no flag waiting.
    expect((await commitOne(store, id, 'running')).control).toBeNull()
  })

  s.it('requestControl with something else than pause or cancel → InvalidInputError', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    expect(await settle(store.requestControl(id, 'explode' as never))).toMatchObject(rejectedWith('INVALID_INPUT'))
    expect((await commitOne(store, id)).control).toBeNull()
  })
}
