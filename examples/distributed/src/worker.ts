/**
 * A worker process: starts one session of the job on the shared DynamoDB table and drives it
 * to the end. It reports every commit on stdout (JSON lines), then `{"result": …}` and exits.
 *
 * usage: worker.ts '<WorkerConfig as JSON>'
 */
import { startSession } from '@cairn/core'
import { createDynamoDbStore } from '@cairn/store-dynamodb'
import { localClientConfig } from '@cairn/store-dynamodb/testing'
import { JOB, SPACE, objective, optimizer } from './job.js'
import { reportingStore, say } from './report.js'

export interface WorkerConfig {
  name: string
  endpoint: string
  tableName: string
  sessionId: string
  seed: number
  maxTrials: number
  delayMs: number
  leaseTtlMs: number
}

const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig
const inner = createDynamoDbStore({ tableName: config.tableName, clientConfig: localClientConfig(config.endpoint) })
const store = reportingStore(inner, config.name)

const handle = await startSession({
  store,
  sessionId: config.sessionId,
  job: JOB, // what lets a monitor resume it: the job's name, resolved in the monitor's registry
  optimizer: optimizer(),
  space: SPACE,
  objective: objective(config.delayMs),
  seed: config.seed,
  maxTrials: config.maxTrials,
  leaseTtlMs: config.leaseTtlMs,
  owner: config.name,
})
say({ started: { by: config.name, pid: process.pid, sessionId: handle.id } })
try {
  const result = await handle.wait()
  say({ result: { by: config.name, sessionId: result.sessionId, status: result.status, bestScore: result.bestScore } })
} catch (err) {
  // Its lease was taken over (say the machine stalled longer than the lease ttl): the fencing
  // token stops this driver, and whoever took over finishes the session.
  say({ lost: { by: config.name, sessionId: config.sessionId, code: (err as { code?: string }).code ?? String(err) } })
}
await inner.close()
