/**
 * `@cairn/recovery` figures, from real processes killed with SIGKILL:
 *
 *   node --conditions=@cairn/source --import tsx bench/recovery.ts                  # fs + DynamoDB Local
 *   node --conditions=@cairn/source --import tsx bench/recovery.ts --no-dynamodb    # fs only
 *   ... --reps 5 --ttl 1000 --poll 200 --sessions 100 --monitors 3 --trials 8 --json
 *
 * 1. Detection latency (fs store): a worker driving one session is SIGKILLed mid-trial while
 *    a monitor process polls; the time from the kill to `detected` (and to `started`, the
 *    takeover) against the bound lease ttl + poll interval. `reps` kills, one monitor.
 * 2. Swarm: `sessions` sessions orphaned by one SIGKILLed worker (each killed in flight of a
 *    trial) are recovered by `monitors` monitor processes sharing the store (fs, and one
 *    DynamoDB Local table when Java 17+ is available): time from the kill until every session
 *    finished; sessions finished more or less than once; trials committed twice or lost (every
 *    trial log must be exactly 0..n-1 with attempts === n); and double-driven trials (a trial
 *    evaluated by two monitors). The last must be 0 unless a lease lapsed under a live driver
 *    (`leaseLost`: a machine too overloaded to renew within the ttl), which fencing makes safe
 *    but costs that one trial a second evaluation.
 *
 * On DynamoDB Local the swarm uses 3× the ttl for the monitors' drivers, 5× for the worker and
 * a poll interval of at least 500 ms: 100 leases renewed every ttl / 4 and 3 monitors listing
 * 100 sessions 5 times a second would otherwise be most of what it serves on 2 cores. The
 * report starts with the load average, since every figure here is wall-clock time.
 *
 * The measuring runs in a child process (packages/recovery/test/fixtures/bench-driver.ts),
 * which spawns the workers and monitors.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { positiveFlag, readCli, type Cli } from './lib/args.js'
import { printTable, type Row } from './lib/stats.js'

/** Options of `run`. */
export interface RecoveryBenchOptions {
  /** Kills measured for detection latency. Default 5. */
  reps?: number
  /** Lease ttl of workers and recovered drivers. Default 1,000 ms. */
  leaseTtlMs?: number
  /** Monitor poll interval. Default 200 ms. */
  pollIntervalMs?: number
  /** Orphaned sessions in the swarm. Default 100. */
  sessions?: number
  /** Monitor processes in the swarm. Default 3. */
  monitors?: number
  /** Trials per swarm session. Default 8. */
  trials?: number
  /** Also run the swarm on DynamoDB Local. Default true. */
  dynamodb?: boolean
}

export const title = '@cairn/recovery'

const root = fileURLToPath(new URL('..', import.meta.url))
const driver = fileURLToPath(new URL('../packages/recovery/test/fixtures/bench-driver.ts', import.meta.url))

/** Runs the measurements in a child process and returns its report. */
export async function run(opts: RecoveryBenchOptions = {}): Promise<Record<string, unknown>> {
  const config = {
    detectionReps: opts.reps ?? 5,
    leaseTtlMs: opts.leaseTtlMs ?? 1_000,
    pollIntervalMs: opts.pollIntervalMs ?? 200,
    swarmSessions: opts.sessions ?? 100,
    swarmMonitors: opts.monitors ?? 3,
    swarmTrials: opts.trials ?? 8,
    stores: opts.dynamodb === false ? ['fs'] : ['fs', 'dynamodb'],
  }
  const tsx = createRequire(`${root}package.json`).resolve('tsx/esm')
  const child = spawn(process.execPath, ['--conditions=@cairn/source', '--import', tsx, driver, JSON.stringify(config)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const last = out.trim().split('\n').at(-1) ?? ''
  try {
    return { machine: { node: process.version }, ...(JSON.parse(last) as Record<string, unknown>) }
  } catch {
    throw new Error(`bench/recovery: the driver exited ${code} without a report; stderr: ${err.slice(-3000)}`)
  }
}

/** Table rows for bench/run.ts. */
export function table(result: Record<string, unknown>): Row[] {
  const rows: Row[] = []
  const d = result.detection as
    | {
        leaseTtlMs: number
        pollIntervalMs: number
        boundMs: number
        reps: number
        detectedMs: { median: number; max: number }
        takenOverMs: { median: number }
        withinBound: number
      }
    | undefined
  if (d) {
    rows.push({
      figure: `detection (fs), ttl ${d.leaseTtlMs} + poll ${d.pollIntervalMs} = ${d.boundMs} ms`,
      value: `median ${d.detectedMs.median} ms, max ${d.detectedMs.max} ms; ${d.withinBound}/${d.reps} within bound`,
    })
    rows.push({ figure: 'takeover (kill → started), median', value: `${d.takenOverMs.median} ms` })
  }
  for (const key of Object.keys(result).filter((k) => k.startsWith('swarm_'))) {
    const s = result[key] as Record<string, number | string | number[]>
    rows.push({
      figure: `${s.monitors} monitors, ${s.orphaned} orphans (${s.store}, ttl ${s.leaseTtlMs}/${s.workerLeaseTtlMs}, poll ${s.pollIntervalMs}): kill → all finished`,
      value: `${s.recoveryMs} ms`,
    })
    rows.push({ figure: `  sessions finished exactly once`, value: `${s.finishedOnce}/${s.orphaned} (unfinished ${s.unfinished})` })
    rows.push({ figure: `  trials committed twice / lost`, value: `${s.duplicateTrials} / ${s.lostTrials}` })
    rows.push({ figure: `  double-driven trials (lease lapses under load)`, value: `${s.doubleDriven} (${s.leaseLost})` })
    rows.push({ figure: `  failed attempts / skips`, value: `${s.failed} / ${s.skipped}` })
  }
  return rows
}

export const cli: Cli<RecoveryBenchOptions & { json: boolean }> = {
  command: 'bench/recovery.ts',
  defaults: () => ({ json: false }),
  flags: {
    'no-dynamodb': { help: 'fs only: skip the DynamoDB Local swarm', apply: (o) => (o.dynamodb = false) },
    reps: { value: 'n', help: 'kills for the detection figure (default 5)', apply: (o, v) => (o.reps = positiveFlag('reps', v)) },
    ttl: { value: 'ms', help: 'lease ttl of the fs runs (default 1000)', apply: (o, v) => (o.leaseTtlMs = positiveFlag('ttl', v)) },
    poll: {
      value: 'ms',
      help: 'monitor poll interval of the fs runs (default 200)',
      apply: (o, v) => (o.pollIntervalMs = positiveFlag('poll', v)),
    },
    sessions: { value: 'n', help: 'orphaned sessions (default 100)', apply: (o, v) => (o.sessions = positiveFlag('sessions', v)) },
    monitors: { value: 'n', help: 'monitor processes (default 3)', apply: (o, v) => (o.monitors = positiveFlag('monitors', v)) },
    trials: { value: 'n', help: 'trials per session (default 8)', apply: (o, v) => (o.trials = positiveFlag('trials', v)) },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { json, ...opts } = readCli(cli)
  const result = await run(opts)
  console.log(JSON.stringify(result, null, 2))
  if (!json) printTable(title, table(result))
}
