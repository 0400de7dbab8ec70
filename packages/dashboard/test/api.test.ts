/**
 * The read API over real stores (fs, LevelDB opened in this process): listing and its
 * filters, a session's page data against what the store holds, trials from an index, and the
 * errors a client gets for an unknown session or a malformed query.
 */
import type { CheckpointStore, TrialRecord } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDashboardServer, type DashboardServer, type SessionPageData, type SessionsPage } from '../src/index.js'
import { call } from './helpers/http.js'
import { STORES, type TempStore } from './helpers/stores.js'

/** Creates a session holding `n` trials (committed `perCommit` at a time), with the given head fields. */
async function seed(store: CheckpointStore, sessionId: string, n: number, fields: Parameters<typeof makeHead>[0] = {}, perCommit = 5) {
  let head = makeHead({ sessionId, ...fields })
  await store.create(head)
  head = await store.load(sessionId)
  for (let i = 0; i < n; i += perCommit) {
    const trials: TrialRecord[] = []
    for (let j = i; j < Math.min(n, i + perCommit); j++) trials.push(makeTrial(j, { score: (j * 7) % 11, durationMs: j }))
    await store.commit(sessionId, { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, trials), trials })
    head = await store.load(sessionId)
  }
  return head
}

describe.each(['fs', 'level'] as const)('on the %s store', (kind) => {
  let temp: TempStore
  let server: DashboardServer

  beforeEach(async () => {
    temp = await STORES[kind]()
    server = await createDashboardServer({ store: temp.store, port: 0 })
  })
  afterEach(async () => {
    await server.close()
    await temp.dispose()
  })

  test('GET /api/sessions lists every session, newest first; status, optimizer and q filter it', async () => {
    const { store } = temp
    await seed(store, 'alpha-1', 3, { name: 'Alpha run', job: 'bowl' })
    await seed(store, 'beta-2', 2, { job: 'ridge', optimizer: { id: '@cairn/optimizers/tpe', stateVersion: 1 } })
    await seed(store, 'gamma-3', 0, { status: 'paused', job: 'bowl', lease: null })

    const all = await call(server, '/api/sessions')
    expect(all.status).toBe(200)
    const page = all.json as SessionsPage
    expect(typeof page.readAt).toBe('number')
    const direct = (await store.list()).items
    expect(page.sessions).toEqual([...direct].sort((a, b) => b.updatedAt - a.updatedAt))
    expect(page.sessions.map((s) => s.sessionId).sort()).toEqual(['alpha-1', 'beta-2', 'gamma-3'])

    const ids = async (query: string) =>
      ((await call(server, `/api/sessions?${query}`)).json as SessionsPage).sessions.map((s) => s.sessionId).sort()
    expect(await ids('status=paused')).toEqual(['gamma-3'])
    expect(await ids('status=running,paused')).toEqual(['alpha-1', 'beta-2', 'gamma-3'])
    expect(await ids('status=running&status=paused')).toEqual(['alpha-1', 'beta-2', 'gamma-3'])
    expect(await ids('status=completed')).toEqual([])
    expect(await ids('optimizer=tpe')).toEqual(['beta-2'])
    expect(await ids('optimizer=%40cairn%2Foptimizers%2Ftpe')).toEqual(['beta-2'])
    expect(await ids('q=ALPHA')).toEqual(['alpha-1']) // the name, any case
    expect(await ids('q=bowl')).toEqual(['alpha-1', 'gamma-3']) // the job
    expect(await ids('q=beta')).toEqual(['beta-2']) // the id
    expect(await ids('q=bowl&status=paused')).toEqual(['gamma-3'])
  })

  test('GET /api/sessions/:id is the head (without its opaque bytes) and every trial, as the store holds them', async () => {
    const head = await seed(temp.store, 's-1', 12, { name: 'twelve', job: 'bowl', space: { x: { kind: 'float', low: 0, high: 1 } } })
    const r = await call(server, '/api/sessions/s-1')
    expect(r.status).toBe(200)
    const data = r.json as SessionPageData
    expect(data.live).toBe(true)
    expect(data.trials).toEqual(await temp.store.readTrials('s-1'))
    expect(data.trials.map((t) => t.trialIdx)).toEqual([...Array(12).keys()])
    const { optimizerState, rngState, ...rest } = head
    expect(data.session).toEqual({ ...JSON.parse(JSON.stringify(rest)), optimizerStateBytes: optimizerState.byteLength, workers: [] })
    expect(JSON.stringify(data.session)).not.toContain(rngState)
    expect(r.headers['cache-control']).toBe('no-store')
  })

  test('GET /api/sessions/:id/trials?from=N returns the trials from index N', async () => {
    await seed(temp.store, 's-2', 9)
    const r = await call(server, '/api/sessions/s-2/trials?from=6')
    expect(r.status).toBe(200)
    expect((r.json as TrialRecord[]).map((t) => t.trialIdx)).toEqual([6, 7, 8])
    expect(r.json).toEqual(await temp.store.readTrials('s-2', { from: 6 }))
    expect(((await call(server, '/api/sessions/s-2/trials')).json as TrialRecord[]).length).toBe(9)
    expect((await call(server, '/api/sessions/s-2/trials?from=9')).json).toEqual([])
  })

  test('an unknown session is a 404 ApiError on every endpoint; a malformed query a 400', async () => {
    await seed(temp.store, 's-3', 1)
    for (const path of ['/api/sessions/nope', '/api/sessions/nope/trials', '/api/sessions/nope/events']) {
      const r = await call(server, path)
      expect({ path, status: r.status, code: r.json?.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' })
      expect(r.json.message).toMatch(/"nope".*not found/)
    }
    const ctl = await call(server, '/api/sessions/nope/control', { body: { action: 'pause' }, token: server.token })
    expect({ status: ctl.status, code: ctl.json.code }).toEqual({ status: 404, code: 'NOT_FOUND' })

    for (const path of ['/api/sessions/s-3/trials?from=-1', '/api/sessions/s-3/trials?from=x', '/api/sessions?status=sleeping']) {
      const r = await call(server, path)
      expect({ path, status: r.status, code: r.json?.code }).toEqual({ path, status: 400, code: 'INVALID_INPUT' })
    }
    expect((await call(server, '/api/sessions?status=sleeping')).json.message).toMatch(/"sleeping" is not a status \(running, paused/)
    const unknown = await call(server, '/api/nothing-here')
    expect({ status: unknown.status, code: unknown.json.code }).toEqual({ status: 404, code: 'HTTP_404' })
  })
})
