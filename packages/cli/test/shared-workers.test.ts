/**
 * Many workers, one session, with real processes: `cairn run <job>` (evaluation: 'shared')
 * coordinates and `cairn worker <session>` processes evaluate, on an fs: store and on DynamoDB
 * Local. Workers and coordinators are SIGKILLed mid-run; the session still commits every trial
 * exactly once, with the candidates of an uninterrupted in-process run.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, inject, test } from 'vitest'
import type { CheckpointStore, TrialRecord } from '@cairn/core'
import { createDynamoDbStore, createTable } from '@cairn/store-dynamodb'
import { localClientConfig } from '@cairn/store-dynamodb/testing'
import { createFsStore } from '@cairn/store-fs'
import { FIXTURE_CONFIG, runCli, startCli } from './helpers/cli.js'
import { candidatesOf, crashRun, referenceRun, type CrashRunOptions } from './helpers/shared-run.js'
import { tempDirEachTest } from './helpers/temp-dir.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string
  }
}

let cwd: string
tempDirEachTest('cairn-shared-', (dir) => (cwd = dir))

const cfg = ['--config', FIXTURE_CONFIG]
/** What DynamoDB Local takes from the SDK's default credential chain in a child process. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' }

/** The run every crash test makes: 1 coordinator + 4 workers, 60 trials of ~150 ms. */
function crashOptions(storeUri: string, store: CheckpointStore, env: Record<string, string> = {}): CrashRunOptions {
  const seed = Date.now() % 1_000_000
  return {
    cwd,
    storeUri,
    store,
    env: { CAIRN_TEST_SHARED_MS: '150', ...env },
    sessionId: 'crash',
    workers: 4,
    coordinatorKillsAt: [15, 35],
    workerKillEveryMs: 1_500,
    seed,
    timeoutMs: 150_000,
  }
}

async function expectCrashRunCorrect(options: CrashRunOptions): Promise<void> {
  const [r, reference] = await Promise.all([crashRun(options), referenceRun('shared')])
  console.info(
    `crash run on ${options.storeUri.split(':')[0]}: ${r.tookMs} ms, ${r.coordinatorKills} coordinators and ${r.workerKills} workers killed (seed ${options.seed})`,
  )
  expect(r.head.status).toBe('completed')
  expect(r.coordinatorKills).toBe(2)
  // Each coordinator kill costs a lease ttl (2 s) before a worker takes over, so at least this many happen on any machine.
  expect(r.workerKills).toBeGreaterThanOrEqual(2)
  for (const s of r.survivors) expect({ code: s.code, output: s.output }).toMatchObject({ code: 0 })
  // Every trial index committed exactly once, each with a result.
  expect(r.trials.map((t) => t.trialIdx).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i))
  expect(r.trials.filter((t) => t.status !== 'ok')).toEqual([])
  expect(candidatesOf(r.trials)).toEqual(candidatesOf(reference))
}

describe('1 coordinator + 4 workers, SIGKILLed mid-run', () => {
  test('on an fs: store', async () => {
    const store = createFsStore({ dir: join(cwd, 'store') })
    try {
      await expectCrashRunCorrect(crashOptions('fs:./store', store))
    } finally {
      await store.close()
    }
  })

  test('on DynamoDB Local', async () => {
    const endpoint = inject('dynamoDbEndpoint')
    const clientConfig = localClientConfig(endpoint)
    const tableName = `cli-shared-${process.pid}-${Date.now().toString(36)}`
    await createTable({ tableName, clientConfig })
    const store = createDynamoDbStore({ tableName, clientConfig })
    try {
      await expectCrashRunCorrect(crashOptions(`dynamodb://${tableName}?region=us-east-1&endpoint=${endpoint}`, store, AWS_ENV))
    } finally {
      await store.close()
    }
  })
})

/** Lets gated trials end (see CAIRN_TEST_GATE in the fixture config). */
async function release(...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(cwd, `release-${i}`), '')
}

test('Ctrl-C stops a worker after its trial in flight; `cairn pause` from another process stops every worker after theirs; resumed, the session uses their results', async () => {
  const env = { CAIRN_TEST_GATE: cwd, CAIRN_TEST_TRIAL_MS: '1' }
  const store = ['--store', 'fs:./store']
  const run = startCli([...cfg, ...store, 'run', 'shared-remote', '--session-id', 'p'], { cwd, env })
  await run.waitFor(/^shared with workers: .* worker p$/)
  const started = [0, 1].map(() => startCli([...cfg, ...store, 'worker', 'p'], { cwd, env }))
  // parallelism 2: both pending trials are in flight, one in each worker, held by the gate.
  const inFlight = await Promise.all(started.map(async (w) => Number(/\d+/.exec(await w.waitFor(/^started trial \d+$/))?.[0])))
  expect([...inFlight].sort()).toEqual([0, 1])
  const [first, second] = inFlight[0] === 0 ? started : [...started].reverse()
  if (!first || !second) throw new Error('two workers')

  // Ctrl-C: the worker running trial 0 finishes it, reports it, and stops; the coordinator commits it.
  first.child.kill('SIGINT')
  await first.waitFor(/^stopping after the trial in flight/)
  await release(0)
  expect(await first.exited).toBe(0)
  expect(first.stdout()).toMatch(/^trial 0: score \S+ \(\d+ ms\)\nstopped: this worker evaluated 1 trial; session "p" goes on\n$/m)
  await run.waitFor(/^1\/8 trials {2}#0 score/)

  const pause = await runCli([...cfg, ...store, 'pause', 'p', '--wait'], { cwd })
  expect(pause.code).toBe(0)
  expect(await run.exited).toBe(0)
  expect(run.stdout()).toMatch(/^paused session "p" after 1 trial /m)
  // A worker joining now is told the session is paused.
  const late = await runCli([...cfg, ...store, 'worker', 'p'], { cwd, env })
  expect({ code: late.code, stderr: late.stderr }).toEqual({
    code: 2,
    stderr: expect.stringMatching(/^error: cannot join session "p": .*paused/),
  })
  // The other worker finishes trial 1, whose result is kept, and stops.
  await release(...Array.from({ length: 8 }, (_, i) => i))
  expect(await second.exited).toBe(0)
  expect(second.stdout()).toMatch(/^session "p" was paused, so this worker stopped: this worker evaluated 1 trial;/m)
  for (const w of started) expect(w.stderr().match(/^started trial \d+$/gm)).toHaveLength(1)

  // Resumed, the coordinator commits trial 1's result; a new worker evaluates the 6 others.
  const resumed = startCli([...cfg, ...store, 'resume', 'p'], { cwd, env })
  await resumed.waitFor(/^resumed session "p" at trial 1/)
  const worker = await runCli([...cfg, ...store, 'worker', 'p'], { cwd, env })
  expect(await resumed.exited).toBe(0)
  expect(worker.code).toBe(0)
  expect(worker.stdout).not.toMatch(/^trial [01]: running/m)
  expect(worker.stdout).toMatch(/^session "p" completed: this worker evaluated 6 trials$/m)
  // The progress counts the trials workers evaluated (the coordinator evaluates none).
  expect(resumed.stdout().match(/^\d+\/8 trials {2}#\d+ score/gm)).toEqual(
    Array.from({ length: 7 }, (_, i) => expect.stringMatching(new RegExp(`^${i + 2}/8 trials  #${i + 1} `))),
  )
  const trials = await runCli([...cfg, ...store, 'show', 'p', '--json', '--trials', '8'], { cwd })
  const shown = JSON.parse(trials.stdout) as { head: { status: string }; trials: TrialRecord[] }
  expect(shown.head.status).toBe('completed')
  expect(candidatesOf(shown.trials)).toEqual(candidatesOf(await referenceRun('shared-remote')))
})
