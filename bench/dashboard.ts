/**
 * `@cairn/dashboard` server figures, on the fs store:
 *
 *   pnpm bench dashboard
 *   node --conditions=@cairn/source --import tsx bench/dashboard.ts --sessions 10 --trials 10000 --commits 100 --poll 200
 *
 * 1. Memory of the server process (RSS and V8 heap after a full GC; peak RSS) serving
 *    `sessions` sessions of `trials` trials each: idle; with one event stream per session; after
 *    each session's page (`GET /api/sessions/:id`, every trial) was loaded once.
 * 2. CPU the server spends watching those sessions while nothing happens (its poll of each
 *    watched head every `poll` ms).
 * 3. Time from a commit (the store's `commit` resolved) to its trial's event on the stream:
 *    `commits` single-trial commits spread over the sessions at random phases of the poll.
 * 4. For comparison, what optuna-dashboard's server does on a refresh, measured with Optuna 3.1
 *    from Debian when it is installed (optuna-dashboard itself is not): see optuna/dashboard_poll.py.
 *
 * The server runs in a child process (bench/lib/dashboard-server.ts, bundled from the sources
 * and run on plain Node, as an installed package runs) so its memory is its own and no
 * TypeScript loader is counted in it.
 */
import { fork } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { CheckpointHead, TrialRecord } from '@cairn/core'
import { Rng } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { makeHead, nextHead, removeDir, tempDir } from '@cairn/testkit'
import { integerFlag, parseFlags, usage, UsageError, type Cli } from './lib/args.js'
import { optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { median, round, type Row } from './lib/stats.js'

/** Options of `run`. */
export interface DashboardBenchOptions {
  sessions: number
  trials: number
  commits: number
  pollMs: number
  /** Also time optuna-dashboard's storage read with Optuna (Debian's python3-optuna). */
  optuna: boolean
  optunaTrials: number
}

export const title = '@cairn/dashboard server: memory, idle CPU, commit-to-event latency'

const root = fileURLToPath(new URL('..', import.meta.url))
const serverScript = fileURLToPath(new URL('./lib/dashboard-server.ts', import.meta.url))

const defaults = (): DashboardBenchOptions => ({
  sessions: 10,
  trials: 10_000,
  commits: 100,
  pollMs: 200,
  optuna: true,
  optunaTrials: 10_000,
})

function trial(i: number, rng: Rng): TrialRecord {
  const x = rng.next() * 15 - 5
  const y = rng.next()
  return {
    trialIdx: i,
    candidate: { x, y, kind: i % 2 ? 'a' : 'b' },
    score: (x - 1) ** 2 + y,
    status: 'ok',
    durationMs: 12.5,
    stats: { loss: y },
  }
}

async function seed(dir: string, o: DashboardBenchOptions): Promise<void> {
  const store = createFsStore({ dir })
  const rng = Rng.fromSeed(7)
  try {
    for (let s = 0; s < o.sessions; s++) {
      const sessionId = `bench-${s}`
      await store.create(
        makeHead({
          sessionId,
          job: 'bench',
          space: { x: { kind: 'float', low: -5, high: 10 } },
          lease: { owner: 'bench', fencingToken: 1, expiresAt: Date.now() + 3_600_000 },
        }),
      )
      let head: CheckpointHead = await store.load(sessionId)
      for (let i = 0; i < o.trials; i += 500) {
        const trials = Array.from({ length: Math.min(500, o.trials - i) }, (_, k) => trial(i + k, rng))
        await store.commit(sessionId, { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, trials), trials })
        head = await store.load(sessionId)
      }
    }
  } finally {
    await store.close()
  }
}

interface Measure {
  rss: number
  heapUsed: number
  external: number
  cpu: { user: number; system: number }
  maxRss: number
}

/** Follows one session's event stream; resolves waiters for trial indices. */
function follow(url: string) {
  const seen = new Map<number, number>()
  const waiters = new Map<number, (at: number) => void>()
  let markFirst = (): void => undefined
  const firstEvent = new Promise<void>((r) => (markFirst = r))
  const abort = new AbortController()
  void (async () => {
    const res = await fetch(url, { signal: abort.signal })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      const at = performance.now()
      buffer += decoder.decode(value, { stream: true })
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, cut)
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n')
        buffer = buffer.slice(cut + 2)
        if (!data) continue
        markFirst()
        const event = JSON.parse(data) as { type: string; trials?: TrialRecord[] }
        for (const t of event.trials ?? []) {
          seen.set(t.trialIdx, at)
          waiters.get(t.trialIdx)?.(at)
        }
      }
    }
  })().catch(() => undefined)
  return {
    firstEvent,
    arrival: (trialIdx: number) =>
      new Promise<number>((resolve) => (seen.has(trialIdx) ? resolve(seen.get(trialIdx) as number) : waiters.set(trialIdx, resolve))),
    close: () => abort.abort(),
  }
}

/** Runs the measurements and returns the report. */
export async function run(options: Partial<DashboardBenchOptions> = {}): Promise<Record<string, unknown>> {
  const o = { ...defaults(), ...options }
  const dir = await tempDir('cairn-bench-dashboard-')
  try {
    const seedStart = performance.now()
    await seed(join(dir, 'store'), o)
    const seedSeconds = (performance.now() - seedStart) / 1000

    const bundle = join(dir, 'dashboard-server.mjs')
    await build({
      entryPoints: [serverScript],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@cairn/source'],
      logLevel: 'error',
    })
    const child = fork(bundle, [join(dir, 'store'), String(o.pollMs)], {
      cwd: root,
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const next = (type: string) =>
      new Promise<any>((resolve) => {
        const on = (m: any) => {
          if (m.type === type) {
            child.off('message', on)
            resolve(m)
          }
        }
        child.on('message', on)
      })
    const measure = async (): Promise<Measure> => {
      const reply = next('measure')
      child.send({ type: 'measure' })
      return reply
    }
    const { url } = (await next('ready')) as { url: string }
    const idle = await measure()

    const ids = Array.from({ length: o.sessions }, (_, s) => `bench-${s}`)
    const streams = ids.map((id) => follow(`${url}/api/sessions/${id}/events`))
    await Promise.all(streams.map((s) => s.firstEvent))
    const subscribed = await measure()
    // Idle CPU of watching: every head read every poll interval, nothing new.
    const cpuWindowMs = 5_000
    await new Promise((r) => setTimeout(r, cpuWindowMs))
    const afterIdle = await measure()
    const idleCpuMs = (afterIdle.cpu.user + afterIdle.cpu.system - subscribed.cpu.user - subscribed.cpu.system) / 1000

    const pageMs: number[] = []
    let pageBytes = 0
    for (const id of ids) {
      const t = performance.now()
      const body = await (await fetch(`${url}/api/sessions/${id}`)).text()
      pageMs.push(performance.now() - t)
      pageBytes = body.length
    }
    const afterPages = await measure()

    // Commit-to-event latency.
    const store = createFsStore({ dir: join(dir, 'store') })
    const rng = Rng.fromSeed(11)
    const heads = new Map<string, CheckpointHead>()
    for (const id of ids) heads.set(id, await store.load(id))
    const latencies: number[] = []
    for (let c = 0; c < o.commits; c++) {
      const s = c % o.sessions
      const id = ids[s] as string
      const head = heads.get(id) as CheckpointHead
      const t = trial(head.progress.attempts, rng)
      await new Promise((r) => setTimeout(r, rng.next() * o.pollMs)) // a random phase of the poll
      await store.commit(id, { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, [t]), trials: [t] })
      const committedAt = performance.now()
      const arrived = await (streams[s] as ReturnType<typeof follow>).arrival(t.trialIdx)
      latencies.push(arrived - committedAt)
      heads.set(id, await store.load(id))
    }
    const loadMs: number[] = []
    for (let i = 0; i < 50; i++) {
      const t = performance.now()
      await store.load(ids[i % o.sessions] as string)
      loadMs.push(performance.now() - t)
    }
    await store.close()
    const end = await measure()
    for (const s of streams) s.close()
    child.send({ type: 'stop' })
    await new Promise((r) => child.once('exit', r))

    const sorted = [...latencies].sort((a, b) => a - b)
    const mb = (n: number) => round(n / 1e6, 1)
    const mem = (m: Measure) => ({ rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external) })
    let optuna: Record<string, unknown> | null = null
    if (o.optuna && (await optunaAvailable())) optuna = await runOptunaScript('dashboard_poll.py', [String(o.optunaTrials)], 1_800_000)
    return {
      machine: { node: process.version, loadavg: (await import('node:os')).loadavg().map((l) => round(l, 2)) },
      sessions: o.sessions,
      trialsPerSession: o.trials,
      pollMs: o.pollMs,
      seedSeconds: round(seedSeconds, 1),
      memory: {
        idle: mem(idle),
        withStreams: mem(subscribed),
        afterPageLoads: mem(afterPages),
        afterCommits: mem(end),
        peakRssMB: mb(end.maxRss),
      },
      idleCpuPercentOfOneCore: round((idleCpuMs / cpuWindowMs) * 100, 2),
      headReadMsMedian: round(median(loadMs), 3),
      pageLoad: { msMedian: round(median(pageMs), 1), bytes: pageBytes },
      commitToEvent: {
        commits: latencies.length,
        msMedian: round(median(latencies), 1),
        msP95: round(sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN, 1),
        msMax: round(sorted.at(-1) ?? Number.NaN, 1),
      },
      optunaDashboardStorageRead: optuna,
    }
  } finally {
    await removeDir(dir)
  }
}

/** Table rows for bench/run.ts. */
export function table(r: Record<string, any>): Row[] {
  const rows: Row[] = []
  for (const [phase, m] of Object.entries<any>(r.memory))
    if (typeof m === 'object') rows.push({ figure: `server memory, ${phase}`, rssMB: m.rssMB, heapMB: m.heapUsedMB })
  rows.push({ figure: 'server peak RSS', rssMB: r.memory.peakRssMB })
  rows.push({ figure: `idle CPU watching ${r.sessions} sessions (% of a core)`, value: r.idleCpuPercentOfOneCore })
  rows.push({ figure: 'one head read (ms, median)', value: r.headReadMsMedian })
  rows.push({ figure: `session page, ${r.trialsPerSession} trials (ms, median)`, value: r.pageLoad.msMedian })
  rows.push({
    figure: 'commit → event (ms, median / p95 / max)',
    value: `${r.commitToEvent.msMedian} / ${r.commitToEvent.msP95} / ${r.commitToEvent.msMax}`,
  })
  const op = r.optunaDashboardStorageRead
  if (op) {
    rows.push({ figure: `optuna ${op.optuna}: first get_all_trials, ${op.trials} trials (ms)`, value: round(op.firstReadMs, 0) })
    rows.push({ figure: 'optuna: repeated get_all_trials, cached (ms, median)', value: round(op.laterReadMsMedian, 2) })
    rows.push({ figure: 'optuna: one study’s trial list in memory (MB)', value: round(op.trialListMB, 1) })
  }
  return rows
}

const cli: Cli<DashboardBenchOptions> = {
  command: 'bench/dashboard.ts',
  defaults,
  flags: {
    sessions: { value: 'n', help: 'sessions served (default 10)', apply: (o, v) => (o.sessions = integerFlag('sessions', v, 1)) },
    trials: { value: 'n', help: 'trials per session (default 10,000)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    commits: {
      value: 'n',
      help: 'commits timed to their event (default 100)',
      apply: (o, v) => (o.commits = integerFlag('commits', v, 1)),
    },
    poll: { value: 'ms', help: 'the server’s poll interval (default 200)', apply: (o, v) => (o.pollMs = integerFlag('poll', v, 1)) },
    'no-optuna': { help: 'skip the Optuna comparison', apply: (o) => (o.optuna = false) },
    'optuna-trials': {
      value: 'n',
      help: 'trials of the Optuna study (default 10,000)',
      apply: (o, v) => (o.optunaTrials = integerFlag('optuna-trials', v, 1)),
    },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { options, help } = parseFlags(cli, process.argv.slice(2))
    if (help) console.log(usage(cli))
    else {
      const report = await run(options)
      console.log(JSON.stringify(report, null, 2))
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage(cli)}`)
      process.exitCode = 2
    } else throw err
  }
}
