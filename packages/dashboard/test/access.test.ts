/**
 * Who may ask what: the token on writes (always) and on API reads (when exposed beyond
 * loopback), the Host header check against DNS rebinding, and the headers that keep the page
 * out of other sites' frames.
 */
import { makeHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDashboardServer, TOKEN_HEADER, type DashboardServer } from '../src/index.js'
import { EventStream } from './helpers/events.js'
import { call, control } from './helpers/http.js'
import { STORES, type TempStore } from './helpers/stores.js'

let temp: TempStore
beforeEach(async () => {
  temp = await STORES.fs()
  await temp.store.create(makeHead({ sessionId: 's' }))
})
afterEach(async () => {
  await temp.dispose()
})

async function withServer(
  opts: { host?: string; token?: string; allowedHosts?: string[] },
  use: (s: DashboardServer) => Promise<void>,
): Promise<void> {
  const server = await createDashboardServer({ store: temp.store, port: 0, ...opts })
  try {
    await use(server)
  } finally {
    await server.close()
  }
}

describe('on loopback (the default)', () => {
  test('binds 127.0.0.1; reads need no token; every write needs it (401 without or wrong, 202 with)', async () => {
    await withServer({}, async (server) => {
      expect(server.host).toBe('127.0.0.1')
      expect(server.exposed).toBe(false)
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/) // 32 random bytes, base64url
      expect(server.startUrl).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`)
      expect((await call(server, '/api/sessions')).status).toBe(200)
      expect((await call(server, '/api/sessions/s')).status).toBe(200)

      const none = await control(server, 's', 'pause', null)
      expect({ status: none.status, code: none.json.code }).toEqual({ status: 401, code: 'HTTP_401' })
      expect(none.json.message).toMatch(/missing access token.*x-cairn-token/)
      const wrong = await control(server, 's', 'pause', `${server.token.slice(0, -1)}x`)
      expect({ status: wrong.status, code: wrong.json.code }).toEqual({ status: 401, code: 'HTTP_401' })
      expect((await temp.store.load('s')).status).toBe('running')
      const ok = await control(server, 's', 'pause')
      expect(ok.status).toBe(202)
    })
  })

  test('a token given is used; two servers generate different ones', async () => {
    await withServer({ token: 'a-token-of-my-own-choosing' }, async (server) => {
      expect(server.token).toBe('a-token-of-my-own-choosing')
      expect((await control(server, 's', 'pause', 'a-token-of-my-own-choosing')).status).toBe(202)
    })
    const tokens = new Set<string>()
    for (let i = 0; i < 2; i++) await withServer({}, async (s) => void tokens.add(s.token))
    expect(tokens.size).toBe(2)
  })
})

describe('exposed beyond loopback (host 0.0.0.0)', () => {
  test('every API read needs the token too (401 without, 200 with); the event stream takes it as ?token=', async () => {
    await withServer({ host: '0.0.0.0' }, async (server) => {
      expect(server.exposed).toBe(true)
      for (const path of ['/api/sessions', '/api/sessions/s', '/api/sessions/s/trials', '/api/sessions/s/events']) {
        const r = await call(server, path)
        expect({ path, status: r.status, code: r.json?.code }).toEqual({ path, status: 401, code: 'HTTP_401' })
      }
      expect((await call(server, '/api/sessions', { token: server.token })).status).toBe(200)
      expect((await call(server, '/api/sessions/s/trials', { token: server.token })).status).toBe(200)
      const byHeader = await EventStream.open(`http://127.0.0.1:${server.port}/api/sessions/s/events`, { [TOKEN_HEADER]: server.token })
      expect(byHeader.status).toBe(200)
      byHeader.close()
      const byQuery = await EventStream.open(`http://127.0.0.1:${server.port}/api/sessions/s/events?token=${server.token}`)
      expect(byQuery.status).toBe(200)
      byQuery.close()
      // ?token= is for the event stream only (EventSource cannot send headers).
      expect((await call(server, `/api/sessions?token=${server.token}`)).status).toBe(401)

      expect((await control(server, 's', 'pause', null)).status).toBe(401)
      expect((await control(server, 's', 'pause')).status).toBe(202)
      // The page itself carries no data: it loads without the token, then reads it from the URL.
      expect((await call(server, '/')).status).toBe(200)
    })
  })
})

describe('the Host header (DNS rebinding)', () => {
  test('a request naming another host is refused with 403, whatever its token', async () => {
    await withServer({}, async (server) => {
      const p = server.port
      for (const host of [`evil.example:${p}`, `127.0.0.1:${p + 1}`, `localhost.evil.example:${p}`, `127.0.0.1.nip.example:${p}`]) {
        const r = await call(server, '/api/sessions', { host, token: server.token })
        expect({ host, status: r.status, code: r.json?.code }).toEqual({ host, status: 403, code: 'HTTP_403' })
      }
      expect((await call(server, '/', { host: `evil.example:${p}` })).status).toBe(403)
      const write = await call(server, '/api/sessions/s/control', {
        host: `evil.example:${p}`,
        body: { action: 'pause' },
        token: server.token,
      })
      expect(write.status).toBe(403)
      expect((await temp.store.load('s')).status).toBe('running')
      for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`])
        expect({ host, status: (await call(server, '/api/sessions', { host })).status }).toEqual({ host, status: 200 })
    })
  })

  test('allowedHosts adds names, with any port (a proxy in front forwards its own)', async () => {
    await withServer({ allowedHosts: ['lab-box.local'] }, async (server) => {
      expect((await call(server, '/api/sessions', { host: `lab-box.local:${server.port}` })).status).toBe(200)
      expect((await call(server, '/api/sessions', { host: 'LAB-BOX.local' })).status).toBe(200)
      expect((await call(server, '/api/sessions', { host: 'lab-box.local:443' })).status).toBe(200)
      expect((await call(server, '/api/sessions', { host: `other.local:${server.port}` })).status).toBe(403)
    })
  })
})

test('no CORS, no framing, no sniffing: the answers carry no Access-Control-Allow-Origin and forbid frames', async () => {
  await withServer({}, async (server) => {
    const r = await call(server, '/api/sessions')
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
    expect(r.headers['x-frame-options']).toBe('DENY')
    expect(r.headers['content-security-policy']).toBe("frame-ancestors 'none'")
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    const preflight = await call(server, '/api/sessions/s/control', { method: 'OPTIONS' })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect(preflight.status).toBe(401)
  })
})
