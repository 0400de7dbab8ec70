/**
 * The server as a whole: its options, the web app it serves, the workers of a shared session,
 * and the detached `cairn resume` it starts for a paused session.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { makeHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDashboardServer, type SessionPageData } from '../src/index.js'
import { call, control } from './helpers/http.js'
import { STORES, type TempStore } from './helpers/stores.js'

let temp: TempStore
beforeEach(async () => {
  temp = await STORES.fs()
})
afterEach(async () => {
  await temp.dispose()
})

describe('options', () => {
  test('bad options are refused naming the field; unknown ones suggest the nearest', async () => {
    const store = temp.store
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ store, port: 70_000 }, /\[@cairn\/dashboard\] port: must be an integer in \[0, 65535\]/],
      [{ store, token: 'short' }, /token: must be at least 16 characters/],
      [{ store, token: 'has spaces in it, sixteen+' }, /token: must be printable ASCII without spaces/],
      [{ store, prot: 80 }, /unknown option prot \(did you mean port\?\)/],
      [{ store: {} }, /store: must be a CheckpointStore/],
      [{ store, cairnCommand: [] }, /cairnCommand: must name a command/],
    ]
    for (const [opts, message] of cases) {
      const err = await createDashboardServer(opts as never).then(
        () => null,
        (e: Error & { code?: string }) => e,
      )
      expect({ opts: Object.keys(opts), code: err?.code }).toEqual({ opts: Object.keys(opts), code: 'INVALID_INPUT' })
      expect(err?.message).toMatch(message)
    }
  })

  test('a port in use: ListenError naming host and port, saying what to do', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    try {
      const err = await createDashboardServer({ store: temp.store, port }).then(
        () => null,
        (e: Error & { code?: string; field?: string }) => e,
      )
      expect({ name: err?.name, code: err?.code, field: err?.field }).toEqual({ name: 'ListenError', code: 'INVALID_INPUT', field: 'port' })
      expect(err?.message).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use.*0 for any free one`))
    } finally {
      blocker.close()
    }
  })
})

describe('the web app', () => {
  test('index.html and its assets from webRoot; the app’s own routes get index.html; missing files 404', async () => {
    const webRoot = join(temp.dir, 'web')
    await mkdir(join(webRoot, 'assets'), { recursive: true })
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title><script src="/assets/app.js"></script>')
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log(1)')
    const server = await createDashboardServer({ store: temp.store, port: 0, webRoot })
    try {
      const page = await call(server, '/')
      expect(page.status).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.text).toContain('<title>app</title>')
      const js = await call(server, '/assets/app.js')
      expect({ status: js.status, type: js.headers['content-type'], text: js.text }).toMatchObject({ status: 200, text: 'console.log(1)' })
      expect(js.headers['content-type']).toMatch(/javascript/)
      expect((await call(server, '/sessions/abc')).text).toContain('<title>app</title>')
      expect((await call(server, '/assets/missing.js')).status).toBe(404)
      expect((await call(server, '/../../etc/passwd')).text).not.toContain('root:')
    } finally {
      await server.close()
    }
  })

  test('without a built app, / says so and points at the API', async () => {
    const server = await createDashboardServer({ store: temp.store, port: 0, webRoot: join(temp.dir, 'not-built') })
    try {
      const page = await call(server, '/')
      expect(page.status).toBe(200)
      expect(page.text).toMatch(/web app is not built.*\/api\/sessions/s)
    } finally {
      await server.close()
    }
  })
})

test('a shared session’s live claims on its pending trials are its workers; lapsed or reported ones are not', async () => {
  const { store } = temp
  const pending = [0, 1, 2].map((trialIdx) => ({ trialIdx, candidate: { x: trialIdx } }))
  await store.create(makeHead({ sessionId: 'shared', evaluation: 'shared', pending }))
  const claimTrial = store.claimTrial?.bind(store)
  if (!claimTrial) throw new Error('the fs store has trial slots')
  await claimTrial('shared', { trialIdx: 0, owner: 'host-a:11', ttlMs: 60_000 })
  const reported = await claimTrial('shared', { trialIdx: 1, owner: 'host-b:22', ttlMs: 60_000 })
  await store.reportTrialResult?.('shared', reported, { candidate: { x: 1 }, evaluation: { status: 'ok', score: 1, durationMs: 1 } })
  await claimTrial('shared', { trialIdx: 2, owner: 'host-c:33', ttlMs: 1 })
  await new Promise((r) => setTimeout(r, 20)) // the 1 ms claim lapses
  const server = await createDashboardServer({ store, port: 0 })
  try {
    const data = (await call(server, '/api/sessions/shared')).json as SessionPageData
    expect(data.session.evaluation).toBe('shared')
    expect(data.session.workers).toEqual([{ owner: 'host-a:11', trialIdx: 0, claimExpiresAt: expect.any(Number) }])
  } finally {
    await server.close()
  }
})

test('resume with a config starts `<cairn> --config <file> --store <uri> resume <id>` detached, its output in a log file; a second one while it runs is a 409', async () => {
  await temp.store.create(makeHead({ sessionId: 'zzz', status: 'paused', lease: null }))
  // Stands in for the CLI: prints its arguments, then waits to be killed.
  const fakeCairn = [
    process.execPath,
    '-e',
    'console.log(JSON.stringify({ argv: process.argv.slice(1), pid: process.pid })); setInterval(() => {}, 1000)',
    '--',
  ]
  const server = await createDashboardServer({
    store: temp.store,
    port: 0,
    config: 'conf/cairn.config.ts',
    storeUri: `fs:${temp.dir}`,
    cairnCommand: fakeCairn,
    cwd: temp.dir,
  })
  let pid: number | undefined
  let log: string | undefined
  try {
    const r = await control(server, 'zzz', 'resume')
    expect(r.status).toBe(202)
    expect(r.json).toEqual({ ok: true, log: expect.stringMatching(/cairn-resume-zzz-\d+\.log$/) })
    log = r.json.log as string
    let printed = ''
    while (!printed.includes('\n')) {
      await new Promise((r) => setTimeout(r, 10))
      printed = await readFile(log, 'utf8')
    }
    const child = JSON.parse(printed) as { argv: string[]; pid: number }
    pid = child.pid
    expect(child.argv).toEqual(['--config', join(temp.dir, 'conf/cairn.config.ts'), '--store', `fs:${temp.dir}`, 'resume', 'zzz'])
    const again = await control(server, 'zzz', 'resume')
    expect({ status: again.status, code: again.json.code }).toEqual({ status: 409, code: 'ALREADY_RUNNING' })
  } finally {
    if (pid !== undefined) process.kill(pid, 'SIGKILL')
    if (log !== undefined) await rm(log, { force: true })
    await server.close()
  }
})
