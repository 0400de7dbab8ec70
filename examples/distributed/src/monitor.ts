/**
 * The monitor process: a RecoveryMonitor watching the shared table. It resumes every session
 * of a known job whose lease expired while it was `running` — its worker died — and reports
 * its events and its commits on stdout (JSON lines). A line `stop` on stdin stops it.
 *
 * usage: monitor.ts '<MonitorConfig as JSON>'
 */
import { createInterface } from 'node:readline'
import { RecoveryMonitor, type RecoveryEvent } from '@cairn/recovery'
import { createDynamoDbStore } from '@cairn/store-dynamodb'
import { localClientConfig } from '@cairn/store-dynamodb/testing'
import { jobs } from './job.js'
import { reportingStore, say } from './report.js'

export interface MonitorConfig {
  name: string
  endpoint: string
  tableName: string
  delayMs: number
  leaseTtlMs: number
  pollIntervalMs: number
}

const config = JSON.parse(process.argv[2] ?? '') as MonitorConfig
const inner = createDynamoDbStore({ tableName: config.tableName, clientConfig: localClientConfig(config.endpoint) })
const monitor = new RecoveryMonitor({
  store: reportingStore(inner, config.name),
  jobs: jobs(config.delayMs),
  owner: config.name,
  leaseTtlMs: config.leaseTtlMs,
  policy: { enabled: true, pollIntervalMs: config.pollIntervalMs, backoffMs: 500, maxBackoffMs: 2_000 },
})
monitor.on('*', (event) => say({ event: summarize(event) }))
monitor.start()
say({ started: { by: config.name, pid: process.pid } })

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stop') return
  void (async () => {
    await monitor.stop({ drain: true })
    await inner.close()
    say({ stopped: { by: config.name } })
    process.exit(0)
  })()
})
process.stdin.on('end', () => process.exit(0)) // the parent went away

/** The JSON-friendly part of an event. */
function summarize(event: RecoveryEvent): Record<string, unknown> {
  const e = event as RecoveryEvent & Record<string, unknown>
  const out: Record<string, unknown> = { type: event.type, at: e.at }
  for (const key of ['sessionId', 'reason', 'attempt', 'job', 'willRetry', 'durationMs'] as const)
    if (e[key] !== undefined) out[key] = e[key]
  if (event.type === 'detected') out['leaseExpiresAt'] = event.listing.leaseExpiresAt
  if (event.type === 'completed')
    out['result'] = { status: event.result.status, attempts: event.result.progress.attempts, bestScore: event.result.bestScore }
  if ('error' in e && e.error !== undefined) out['error'] = String((e.error as Error)?.message ?? e.error)
  return out
}
