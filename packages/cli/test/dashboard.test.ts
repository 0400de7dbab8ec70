/**
 * `cairn dashboard` and `cairn run --dashboard`: the real CLI in child processes on an fs store,
 * followed over HTTP and server-sent events as the web page does — a new trial shows up, pause
 * from the dashboard pauses the run after its trial in flight, resume from the dashboard starts
 * `cairn resume` in the background, which completes the session. Trials are gated (see the
 * fixture config), so order is asserted, never timing.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test as base } from 'vitest'
import { FIXTURE_CONFIG, startCli, type CliProcess } from './helpers/cli.js'
import { runInProcess } from './helpers/in-process.js'

const test = base.extend<{ cwd: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
  cwd: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-dashboard-cli-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
})

async function release(dir: string, ...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(dir, `release-${i}`), '')
}

/** The base URL and token of the dashboard a CLI process printed. */
async function dashboardOf(p: CliProcess): Promise<{ url: string; token: string }> {
  const printed = await p.waitFor(/^dashboard of .* at http:\/\//)
  const m = /at (http:\/\/[^/]+)\/#token=(\S+)$/.exec(printed)
  if (!m) throw new Error(`no start URL in: ${printed}`)
  return { url: m[1] as string, token: m[2] as string }
}

/** Follows an event stream, collecting every `data:` document. */
function follow(url: string, token?: string) {
  const events: any[] = []
  const abort = new AbortController()
  const done = (async () => {
    const res = await fetch(url, { signal: abort.signal, headers: token ? { 'x-cairn-token': token } : {} })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, cut)
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
        if (data.length > 0) events.push(JSON.parse(data.join('\n')))
        buffer = buffer.slice(cut + 2)
      }
    }
  })().catch(() => undefined)
  return {
    events,
    /** Resolves once an event satisfies `match` (safety timeout only). */
    async until(match: (e: any) => boolean, what: string): Promise<any> {
      const deadline = Date.now() + 120_000
      for (;;) {
        const hit = events.find(match)
        if (hit) return hit
        if (Date.now() > deadline) throw new Error(`no event: ${what}; got ${JSON.stringify(events).slice(0, 2000)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    close: () => (abort.abort(), done),
  }
}

const trialsIn = (events: any[]) =>
  events.flatMap((e) => (e.type === 'trials' ? e.trials.map((t: { trialIdx: number }) => t.trialIdx) : []))

describe.concurrent('cairn run --keep-dashboard, watched and steered over HTTP', () => {
  test('a new trial shows on the event stream; pause from the dashboard pauses after the trial in flight; resume from it completes the session', async ({
    cwd,
  }) => {
    const run = startCli(
      ['--config', FIXTURE_CONFIG, '--store', 'fs:./store', 'run', 'quad', '--session-id', 's', '--keep-dashboard', '--port', '0'],
      {
        cwd,
        env: { CAIRN_TEST_GATE: cwd, CAIRN_TEST_TRIAL_MS: '1' },
      },
    )
    let resumeLog: string | undefined
    try {
      const { url, token } = await dashboardOf(run)
      await run.waitFor(/^started trial 0$/)
      const stream = follow(`${url}/api/sessions/s/events`)
      await stream.until((e) => e.type === 'session', 'the first event')

      await release(cwd, 0)
      const first = await stream.until((e) => e.type === 'trials', 'trial 0')
      expect(first.trials.map((t: { trialIdx: number }) => t.trialIdx)).toEqual([0])
      await run.waitFor(/^started trial 1$/)

      const post = (action: string, withToken = true) =>
        fetch(`${url}/api/sessions/s/control`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(withToken ? { 'x-cairn-token': token } : {}) },
          body: JSON.stringify({ action }),
        })
      expect((await post('pause', false)).status).toBe(401)
      const paused = await post('pause')
      expect({ status: paused.status, body: await paused.json() }).toEqual({ status: 202, body: { ok: true, outcome: 'requested' } })
      await release(cwd, 1)
      await run.waitFor(/^paused session "s" after 2 trials/)
      await run.waitFor(/^the run is over; the dashboard stays at/)
      await stream.until((e) => e.type !== 'deleted' && e.session.status === 'paused', 'paused')
      expect(trialsIn(stream.events)).toEqual([0, 1])

      await release(cwd, ...Array.from({ length: 10 }, (_, i) => i + 2))
      const resumed = await post('resume')
      expect(resumed.status).toBe(202)
      resumeLog = ((await resumed.json()) as { log: string }).log
      await stream.until((e) => e.type !== 'deleted' && e.session.status === 'completed', 'completed by the resumed process')
      expect(trialsIn(stream.events)).toEqual([...Array(12).keys()])
      await stream.close()
      // The detached `cairn resume` wrote its progress to the log the answer named.
      let log = ''
      for (let i = 0; i < 500 && !/completed/.test(log); i++) {
        log = await readFile(resumeLog, 'utf8')
        if (!/completed/.test(log)) await new Promise((r) => setTimeout(r, 20))
      }
      expect(log).toMatch(/resumed session "s" at trial 2/)

      run.child.kill('SIGINT')
      expect(await run.exited).toBe(0)
    } finally {
      run.child.kill('SIGKILL')
      if (resumeLog) await rm(resumeLog, { force: true })
    }
  })
})

describe.concurrent('cairn dashboard', () => {
  test('on an fs store without a config: serves the API, refuses resume saying why; with --host every read needs the token; Ctrl-C stops it', async ({
    cwd,
  }) => {
    const seeded = startCli(['--config', FIXTURE_CONFIG, '--store', 'fs:./store', 'run', 'quad', '--session-id', 'done', '--trials', '2'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '1' },
    })
    expect(await seeded.exited).toBe(0)

    const local = startCli(['--store', 'fs:./store', 'dashboard', '--port', '0'], { cwd })
    const exposed = startCli(['--store', 'fs:./store', 'dashboard', '--port', '0', '--host', '0.0.0.0'], { cwd })
    try {
      const a = await dashboardOf(local)
      await local.waitFor(/^no config file: the dashboard can pause and cancel, but not resume/)
      const list = await fetch(`${a.url}/api/sessions`)
      expect(((await list.json()) as { sessions: Array<{ sessionId: string }> }).sessions.map((s) => s.sessionId)).toEqual(['done'])
      const resume = await fetch(`${a.url}/api/sessions/done/control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cairn-token': a.token },
        body: '{"action":"resume"}',
      })
      expect(resume.status).toBe(409)
      expect(((await resume.json()) as { message: string }).message).toMatch(/without a config file/)

      await exposed.waitFor(/^listening on 0\.0\.0\.0: every request needs the token/)
      const printed = await exposed.waitFor(/^dashboard of /)
      const m = /:(\d+)\/#token=(\S+)$/.exec(printed)
      const base = `http://127.0.0.1:${m?.[1]}`
      expect((await fetch(`${base}/api/sessions`)).status).toBe(401)
      expect((await fetch(`${base}/api/sessions`, { headers: { 'x-cairn-token': m?.[2] as string } })).status).toBe(200)

      local.child.kill('SIGINT')
      exposed.child.kill('SIGINT')
      expect(await local.exited).toBe(0)
      expect(await exposed.exited).toBe(0)
    } finally {
      local.child.kill('SIGKILL')
      exposed.child.kill('SIGKILL')
    }
  })

  test('on a memory: store: exit 2, saying there is nothing to watch from another process', async ({ cwd }) => {
    const r = await runInProcess(['--store', 'memory:', 'dashboard'], { cwd })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^error: \[cairn\] store: "memory:" is a store inside one process.*cairn run <job> --dashboard`\n$/)
  })
})
