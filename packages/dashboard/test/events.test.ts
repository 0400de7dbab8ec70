/**
 * Live updates: `GET /api/sessions/:id/events` follows a real session on the fs store (and on
 * LevelDB shared in this process, as `cairn run --dashboard` does). Order and content are
 * asserted, not durations: the poll interval is injected small and each trial ends when the
 * test says so.
 */
import { makeHead, makeTrial, nextHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDashboardServer, type DashboardServer, type SessionStreamEvent } from '../src/index.js'
import { subscriberCount, watcherCount } from '../src/testing.js'
import { EventStream, type ReceivedEvent } from './helpers/events.js'
import { startGatedSession } from './helpers/gated-session.js'
import { STORES, type TempStore } from './helpers/stores.js'

const POLL_MS = 20

function trialsOf(events: ReceivedEvent[]): number[] {
  return events.flatMap((e) => (e.event.type === 'trials' ? e.event.trials.map((t) => t.trialIdx) : []))
}

/** Resolves once `check` holds, reading it every few ms (safety timeout only). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe.each(['fs', 'level'] as const)('on the %s store', (kind) => {
  let temp: TempStore
  let server: DashboardServer

  beforeEach(async () => {
    temp = await STORES[kind]()
    server = await createDashboardServer({ store: temp.store, port: 0, pollIntervalMs: POLL_MS })
  })
  afterEach(async () => {
    await server.close()
    await temp.dispose()
  })

  test('each commit of a running session arrives as one event with its trial and the new head, in order', async () => {
    const run = await startGatedSession(temp.store, { sessionId: 'live', maxTrials: 4 })
    await run.started(0)
    const stream = await EventStream.open(`${server.url}/api/sessions/live/events`)
    expect(stream.status).toBe(200)
    const first = await stream.next()
    expect(first.event).toMatchObject({ type: 'session', session: { sessionId: 'live', status: 'running', progress: { attempts: 0 } } })
    expect(first.retry).toBe(1000)
    expect(first.id).toBe('0')

    let e3: ReceivedEvent | undefined
    for (let i = 0; i < 4; i++) {
      run.release(i)
      const [e] = await stream.until((x) => x.event.type === 'trials')
      const ev = e?.event as Extract<SessionStreamEvent, { type: 'trials' }>
      const stored = await temp.store.readTrials('live', { from: i, limit: 1 })
      expect(ev.trials).toEqual(stored)
      expect(ev.session.progress.attempts).toBe(i + 1)
      expect(e?.id).toBe(String(i + 1))
      e3 = e
    }
    const result = await run.handle.wait()
    expect(result.status).toBe('completed')
    // The last trial's commit completes the session, or a status-only commit follows it.
    const completed = (x: ReceivedEvent) => x.event.type !== 'deleted' && x.event.session.status === 'completed'
    if (!completed(e3 as ReceivedEvent)) expect(trialsOf(await stream.until(completed))).toEqual([])
    stream.close()
  })

  test('a client that says which trials it has (from=N, or Last-Event-ID on reconnect) gets the rest first', async () => {
    let head = makeHead({ sessionId: 'seeded' })
    await temp.store.create(head)
    head = await temp.store.load('seeded')
    const trials = [0, 1, 2, 3, 4].map((i) => makeTrial(i))
    await temp.store.commit('seeded', { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, trials), trials })

    const fromTwo = await EventStream.open(`${server.url}/api/sessions/seeded/events?from=2`)
    const e1 = await fromTwo.next()
    expect(trialsOf([e1])).toEqual([2, 3, 4])
    expect(e1.id).toBe('5')
    const reconnect = await EventStream.open(`${server.url}/api/sessions/seeded/events`, { 'Last-Event-ID': '4' })
    expect(trialsOf([await reconnect.next()])).toEqual([4])
    const fresh = await EventStream.open(`${server.url}/api/sessions/seeded/events`)
    expect((await fresh.next()).event.type).toBe('session')
    expect(subscriberCount(server, 'seeded')).toBe(3)
    for (const s of [fromTwo, reconnect, fresh]) s.close()
  })

  test('the head is read only while someone follows the session; a client that disconnects is forgotten', async () => {
    await temp.store.create(makeHead({ sessionId: 'quiet' }))
    expect(watcherCount(server)).toBe(0)
    const a = await EventStream.open(`${server.url}/api/sessions/quiet/events`)
    const b = await EventStream.open(`${server.url}/api/sessions/quiet/events`)
    await a.next()
    await b.next()
    expect(watcherCount(server)).toBe(1)
    expect(subscriberCount(server, 'quiet')).toBe(2)
    a.close()
    await eventually(() => subscriberCount(server, 'quiet') === 1, 'the first client forgotten')
    b.close()
    await eventually(() => watcherCount(server) === 0, 'the watcher stopped')
  })

  test('a deleted session ends its streams with a deleted event', async () => {
    await temp.store.create(makeHead({ sessionId: 'doomed' }))
    const s = await EventStream.open(`${server.url}/api/sessions/doomed/events`)
    await s.next()
    await temp.store.delete('doomed')
    expect((await s.next()).event).toEqual({ type: 'deleted', sessionId: 'doomed' })
    await s.finished
    await eventually(() => watcherCount(server) === 0, 'the watcher stopped')
  })
})

describe('closing the server', () => {
  test('ends every open stream and stops every watcher', async () => {
    const temp = await STORES.fs()
    const server = await createDashboardServer({ store: temp.store, port: 0, pollIntervalMs: POLL_MS })
    try {
      await temp.store.create(makeHead({ sessionId: 'x' }))
      const s = await EventStream.open(`${server.url}/api/sessions/x/events`)
      await s.next()
      await server.close()
      await s.finished
      expect(watcherCount(server)).toBe(0)
    } finally {
      await server.close()
      await temp.dispose()
    }
  })
})
