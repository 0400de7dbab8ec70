/**
 * Ask/tell from the shell: `cairn create`, `ask`, `tell`, `enqueue` and `show`, in process for
 * the outputs and exit codes, and as real processes asking at once through the functions those
 * commands call, and a process holding asks that is SIGKILLed. (Real shells at once, 4 × 25
 * `cairn` calls, are in `pnpm bench ask-tell`: each call is a Node start-up.)
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { childNodeArgs } from '../../../vitest.children.js'
import { createCairn } from '../src/index.js'
import config from './fixtures/cairn.config.js'
import { childEnv, FIXTURE_CONFIG } from './helpers/cli.js'
import { runInProcess } from './helpers/in-process.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-ask-tell-')

const cfg = ['--config', FIXTURE_CONFIG, '--store', 'fs:./store']
const CHILD = fileURLToPath(new URL('./fixtures/ask-tell-child.ts', import.meta.url))

/** Runs the ask/tell child (see fixtures/ask-tell-child.ts); resolves with its first JSON line, and the process. */
function askTellChild(args: string[]): { line: Promise<Record<string, any>>; child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [...childNodeArgs(CHILD), `${cwd}/store`, ...args], {
    cwd,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const line = new Promise<Record<string, any>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => resolve(JSON.parse(l) as Record<string, any>))
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before printing: ${stderr}`)))
  })
  return { line, child }
}
type Asked = { trialIdx: number; candidate: { x: number; n: number; kind: string } } | null
const quad = (c: { x: number; n: number; kind: string }): number => (c.x - 1) ** 2 + c.n + (c.kind === 'b' ? 0.5 : 0)

describe('cairn create / ask / tell / enqueue', () => {
  test('a session driven from the shell: JSON for scripts, exit 2 for bad input, show lists the outstanding trials', async () => {
    const run = (args: string[]) => runInProcess([...cfg, ...args], { cwd })
    const created = await run(['create', 'remote', '--session-id', 's', '--trials', '3', '--json'])
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout)).toEqual({ sessionId: 's' })
    const first = await run(['ask', 's', '--json'])
    expect(first.code).toBe(0)
    const a = JSON.parse(first.stdout) as Asked
    expect(a?.trialIdx).toBe(0)
    const second = await run(['ask', 's'])
    expect(second.stdout).toMatch(/^trial 1: \{.*"x":/)
    expect(await run(['tell', 's', '1', '{"score":2.5,"stats":{"epochs":3}}'])).toMatchObject({
      code: 0,
      stdout: 'told trial 1 of session "s"\n',
    })
    const show = await run(['show', 's'])
    expect(show.stdout).toMatch(/status +paused/)
    expect(show.stdout).toMatch(
      /outstanding trials \(asked, not yet recorded\):\n# {2}STATE +FROM +CANDIDATE\n0 {2}asked +optimizer .*\n1 {2}told \(2\.5\), waits for #0 +optimizer/,
    )
    // Bad input: exit 2, one line, nothing changed.
    const bad: Array<[string[], RegExp]> = [
      [['tell', 's', '1', '3'], /already told/],
      [['tell', 's', '9', '3'], /never asked \(outstanding: 0, 1\)/],
      [['tell', 's', '0', 'not-json'], /result must be a number or JSON/],
      [['tell', 's', 'x', '1'], /trialIdx/],
      [['enqueue', 's', '{"x":99,"n":1,"kind":"a"}'], /candidate\.x: 99 is outside \[-5, 5\]/],
      [['ask', 'nope'], /not found/],
      [['run', 'remote'], /job "remote" has no objective \(an ask\/tell job\): create a session with `cairn create remote`/],
    ]
    for (const [args, message] of bad) {
      const r = await run(args)
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr).toMatch(message)
    }
    const enqueued = await run(['enqueue', 's', '{"x":1,"n":0,"kind":"a"}', '--json'])
    expect(enqueued.code).toBe(0)
    expect(JSON.parse(enqueued.stdout)).toEqual({ sessionId: 's', enqueued: 1 })
    expect(JSON.parse((await run(['ask', 's', '--json'])).stdout)).toEqual({
      trialIdx: 2,
      candidate: { x: 1, n: 0, kind: 'a' },
      origin: 'enqueued',
    })
    expect((await run(['ask', 's', '--json'])).stdout).toBe('null\n')
    expect(await run(['tell', 's', '2', '{"error":"the cluster job died"}'])).toMatchObject({ code: 0 })
    expect(await run(['tell', 's', '0', '--', '-1.5'])).toMatchObject({ code: 0 })
    const done = JSON.parse((await run(['show', 's', '--json'])).stdout) as {
      head: { status: string; progress: object; pending: unknown[] }
      trials: Array<Record<string, unknown>>
    }
    expect(done.head).toMatchObject({
      status: 'completed',
      pending: [],
      progress: { attempts: 3, completed: 2, errors: 1, bestScore: -1.5, bestTrialIdx: 0 },
    })
    expect(done.trials[2]).toMatchObject({ status: 'error', errorClass: 'objective', error: { message: 'the cluster job died' } })
    expect(done.trials[1]).toMatchObject({ score: 2.5, stats: { epochs: 3 } })
    const jobs = await run(['jobs'])
    expect(jobs.stdout).toMatch(/remote +ask-tell +tpe/)
  })

  test('four processes × 15 asks and tells at once on an fs: store (the path of `cairn ask` / `cairn tell`): no duplicate, no lost tell', async () => {
    const cairn = createCairn({ ...config, store: `fs:${cwd}/store` })
    try {
      await cairn.create('remote', { sessionId: 'procs', optimizer: 'random', maxTrials: 60 })
      const runs = [0, 1, 2, 3].map(() => askTellChild(['loop', 'procs', '15']))
      const seen = (await Promise.all(runs.map((r) => r.line))).flatMap((m) => m['seen'] as number[])
      await Promise.all(runs.map((r) => new Promise((done) => (r.child.exitCode !== null ? done(null) : r.child.once('close', done)))))
      expect(seen.sort((a, b) => a - b)).toEqual([...Array(60).keys()])
      const trials = await cairn.trials('procs')
      expect(trials).toHaveLength(60)
      expect(new Set(trials.map((t) => JSON.stringify(t.candidate))).size).toBe(60)
      for (const t of trials) expect(t.score).toBe(quad(t.candidate as never))
      expect((await cairn.show('procs')).head).toMatchObject({ status: 'completed', terminalReason: 'max-trials', pending: [] })
    } finally {
      await cairn.close()
    }
  }, 60_000)

  test('a process holding asks is SIGKILLed: the outstanding trials are listed and told from the shell; the run goes on as if nothing happened', async () => {
    const { line, child } = askTellChild(['hold', 'held'])
    const message = (await line) as { asked: Asked[] }
    child.kill('SIGKILL')
    await new Promise((r) => child.once('close', r))
    const run = (args: string[]) => runInProcess([...cfg, ...args], { cwd })
    const show = JSON.parse((await run(['show', 'held', '--json'])).stdout) as {
      head: { pending: Array<{ trialIdx: number; candidate: unknown; told?: object }> }
    }
    expect(show.head.pending.map((p) => [p.trialIdx, p.candidate, p.told !== undefined])).toEqual([
      [0, message.asked[0]?.candidate, false],
      [1, message.asked[1]?.candidate, true],
      [2, message.asked[2]?.candidate, false],
    ])
    expect((await run(['tell', 'held', '2', '1.75'])).code).toBe(0)
    expect((await run(['tell', 'held', '0', '3'])).code).toBe(0)
    const next = JSON.parse((await run(['ask', 'held', '--json'])).stdout) as Asked
    // The same calls without the crash, in this process.
    const cairn = createCairn({ ...config, store: 'memory:' })
    try {
      const h = await cairn.create('remote', { sessionId: 'straight' })
      const asked = [await h.ask(), await h.ask(), await h.ask()]
      expect(asked).toEqual(message.asked)
      await h.tell(1, 0.25)
      await h.tell(2, 1.75)
      await h.tell(0, 3)
      expect(await h.ask()).toEqual(next)
      expect(next?.trialIdx).toBe(3)
    } finally {
      await cairn.close()
    }
  }, 60_000)
})
