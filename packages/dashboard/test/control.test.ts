/**
 * `POST /api/sessions/:id/control`: pause and cancel reach a real session through the store
 * (it stops after its trial in flight), a session no one drives is changed at once, resume is
 * refused without a config, and malformed bodies are answered 400.
 */
import { makeHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDashboardServer, type DashboardServer } from '../src/index.js'
import { startGatedSession } from './helpers/gated-session.js'
import { call, control } from './helpers/http.js'
import { STORES, type TempStore } from './helpers/stores.js'

let temp: TempStore
let server: DashboardServer

beforeEach(async () => {
  temp = await STORES.fs()
  server = await createDashboardServer({ store: temp.store, port: 0, pollIntervalMs: 20 })
})
afterEach(async () => {
  await server.close()
  await temp.dispose()
})

describe('pause and cancel of a running session', () => {
  test('pause: 202 requested; the session pauses after the trial in flight, which is committed', async () => {
    const run = await startGatedSession(temp.store, { sessionId: 'p', maxTrials: 10 })
    run.release(0)
    await run.started(1)
    const r = await control(server, 'p', 'pause')
    expect({ status: r.status, body: r.json }).toEqual({ status: 202, body: { ok: true, outcome: 'requested' } })
    run.release(1)
    const result = await run.handle.wait()
    expect(result.status).toBe('paused')
    expect(result.progress.attempts).toBe(2)
    expect((await temp.store.readTrials('p')).map((t) => t.trialIdx)).toEqual([0, 1])
  })

  test('cancel: 202 requested; the session is cancelled after the trial in flight', async () => {
    const run = await startGatedSession(temp.store, { sessionId: 'c', maxTrials: 10 })
    await run.started(0)
    const r = await control(server, 'c', 'cancel')
    expect({ status: r.status, body: r.json }).toEqual({ status: 202, body: { ok: true, outcome: 'requested' } })
    run.release(0)
    const result = await run.handle.wait()
    expect(result.status).toBe('cancelled')
    expect(result.progress.attempts).toBe(1)
  })
})

describe('sessions no one drives', () => {
  test('cancel of a paused session applies at once; pause of it changes nothing; a finished one is a 409', async () => {
    await temp.store.create(makeHead({ sessionId: 'held', lease: { owner: 'gone', fencingToken: 1, expiresAt: 0 } }))
    // Paused by its (now gone) driver: a status-only commit.
    const head = await temp.store.load('held')
    await temp.store.commit('held', { expectedRevision: head.revision, fencingToken: 1, head: { ...head, status: 'paused' }, trials: [] })

    const again = await control(server, 'held', 'pause')
    expect({ status: again.status, body: again.json }).toEqual({ status: 202, body: { ok: true, outcome: 'unchanged' } })
    const cancel = await control(server, 'held', 'cancel')
    expect({ status: cancel.status, body: cancel.json }).toEqual({ status: 202, body: { ok: true, outcome: 'applied' } })
    expect((await temp.store.load('held')).status).toBe('cancelled')

    const pause = await control(server, 'held', 'pause')
    expect({ status: pause.status, code: pause.json.code }).toEqual({ status: 409, code: 'ALREADY_TERMINAL' })
  })

  test('a running session whose driver died (lease lapsed) is paused at once', async () => {
    await temp.store.create(makeHead({ sessionId: 'orphan', lease: { owner: 'dead', fencingToken: 1, expiresAt: Date.now() - 1 } }))
    const r = await control(server, 'orphan', 'pause')
    expect({ status: r.status, body: r.json }).toEqual({ status: 202, body: { ok: true, outcome: 'applied' } })
    expect((await temp.store.load('orphan')).status).toBe('paused')
  })
})

describe('resume', () => {
  test('without a config: 409 saying why and what to do; nothing changes', async () => {
    await temp.store.create(makeHead({ sessionId: 'r', status: 'paused', lease: null }))
    const before = await temp.store.load('r')
    const r = await control(server, 'r', 'resume')
    expect(r.status).toBe(409)
    expect(r.json.code).toBe('HTTP_409')
    expect(r.json.message).toMatch(/started without a config file.*cairn dashboard --config.*cairn resume r/)
    expect(await temp.store.load('r')).toEqual(before)
  })

  test('with a config, on a store one process at a time may open (LevelDB held here): 409', async () => {
    const level = await STORES.level()
    const s = await createDashboardServer({ store: level.store, port: 0, config: 'cairn.config.ts' })
    try {
      await level.store.create(makeHead({ sessionId: 'r', status: 'paused', lease: null }))
      const r = await control(s, 'r', 'resume')
      expect({ status: r.status, code: r.json.code }).toEqual({ status: 409, code: 'HTTP_409' })
      expect(r.json.message).toMatch(/admits one process at a time/)
    } finally {
      await s.close()
      await level.dispose()
    }
  })

  test('of a session that is not paused: 409 NOT_PAUSED', async () => {
    const s = await createDashboardServer({ store: temp.store, port: 0, config: 'cairn.config.ts', cairnCommand: ['false'] })
    try {
      await temp.store.create(makeHead({ sessionId: 'busy' }))
      const r = await control(s, 'busy', 'resume')
      expect({ status: r.status, code: r.json.code }).toEqual({ status: 409, code: 'NOT_PAUSED' })
    } finally {
      await s.close()
    }
  })
})

describe('malformed requests', () => {
  test('bodies that are not a ControlBody: 400 INVALID_INPUT naming the problem; nothing changes', async () => {
    await temp.store.create(makeHead({ sessionId: 'b' }))
    const before = await temp.store.load('b')
    const path = '/api/sessions/b/control'
    const cases: Array<[Parameters<typeof call>[2], RegExp]> = [
      [{ rawBody: '{"action":', token: server.token }, /body: is not JSON/],
      [
        { rawBody: 'action=pause', contentType: 'application/x-www-form-urlencoded', token: server.token },
        /must be JSON sent as Content-Type: application\/json/,
      ],
      [{ body: { action: 'stop' }, token: server.token }, /body\.action: must be "pause" or "resume" or "cancel", got "stop"/],
      [{ body: { action: 'pause', force: true }, token: server.token }, /unknown option body\.force/],
      [{ body: ['pause'], token: server.token }, /body.*must be an object/],
      [{ body: {}, token: server.token }, /action/],
    ]
    for (const [opts, message] of cases) {
      const r = await call(server, path, opts)
      expect({ opts, status: r.status, code: r.json?.code }).toEqual({ opts, status: 400, code: 'INVALID_INPUT' })
      expect(r.json.message).toMatch(message)
    }
    const huge = await call(server, path, { rawBody: JSON.stringify({ action: 'pause', pad: 'x'.repeat(10_000) }), token: server.token })
    expect({ status: huge.status, code: huge.json?.code }).toEqual({ status: 413, code: 'HTTP_413' })
    expect(await temp.store.load('b')).toEqual(before)
  })
})
