/**
 * The quick start as a user runs it: `cairn run quickstart` (what `pnpm demo` runs), on the level
 * store, interrupted with Ctrl-C and with kill -9, then run again.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createLevelStore } from '@cairn/store-level'
import { childNodeArgs } from '../../../vitest.children.js'

const config = fileURLToPath(new URL('../cairn.config.ts', import.meta.url))
const cli = fileURLToPath(new URL('../../../packages/cli/src/cli/main.ts', import.meta.url))
const TRIALS = 8
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-quickstart-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** `cairn run quickstart` with the store in a temp dir and a short budget; `onLine` may send signals. */
function runDemo(onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_PROGRESS: 'plain' }
    for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k]
    const args = ['--config', config, '--store', `level:${join(dir, '.cairn')}`, 'run', 'quickstart', '--trials', String(TRIALS)]
    const child = spawn(process.execPath, [...childNodeArgs(cli), ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let buffered = ''
    const feed = (chunk: Buffer): void => {
      out += chunk
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) onLine?.(line, (signal) => child.kill(signal))
    }
    child.stdout.on('data', feed)
    child.stderr.on('data', feed)
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

/** When the lease the dead process left behind expires (epoch ms). */
async function leaseExpiry(): Promise<number> {
  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    return (await store.load('quickstart')).lease?.expiresAt ?? 0
  } finally {
    await store.close()
  }
}

async function trialIndices(): Promise<number[]> {
  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    return (await store.readTrials('quickstart')).map((t) => t.trialIdx)
  } finally {
    await store.close()
  }
}

test('Ctrl-C pauses after the trial in flight; running again resumes the same session to the end', async () => {
  let sent = false
  const first = await runDemo((line, kill) => {
    if (!sent && line.startsWith(`3/${TRIALS} trials`)) {
      sent = true
      kill('SIGINT')
    }
  })
  expect(first.code).toBe(0)
  expect(first.out).toContain('started session "quickstart"')
  expect(first.out).toContain('pausing after the trial in flight')
  const pausedAt = Number(/paused session "quickstart" after (\d+) trials/.exec(first.out)?.[1])
  expect(pausedAt).toBeGreaterThanOrEqual(3)
  expect(first.out).toMatch(/resume with: .*resume quickstart/)

  const second = await runDemo()
  expect(second.code).toBe(0)
  expect(second.out).toContain(`resumed session "quickstart" at trial ${pausedAt}`)
  expect(second.out).toContain(`completed (max-trials): session "quickstart" after ${TRIALS} trials`)
  expect(await trialIndices()).toEqual([...Array(TRIALS).keys()])

  // Once finished, running it again says so and how to start over.
  const third = await runDemo()
  expect(third.code).toBe(0)
  expect(third.out).toMatch(/session "quickstart" already completed: 8 trials, best \d\.\d+ at trial \d+/)
  expect(third.out).toMatch(/to start over: `.*rm quickstart`, then .* again/)
})

test('after a SIGKILL the next run waits for the dead lease and resumes without losing or repeating trials', async () => {
  let killedAfter = 0
  await runDemo((line, kill) => {
    const m = new RegExp(`^(\\d+)/${TRIALS} trials`).exec(line)
    if (m && Number(m[1]) >= 2 && killedAfter === 0) {
      killedAfter = Number(m[1])
      kill('SIGKILL')
    }
  })
  expect(killedAfter).toBeGreaterThanOrEqual(2)
  const committed = await trialIndices()
  expect(committed.length).toBeGreaterThanOrEqual(killedAfter)
  const expiresAt = await leaseExpiry()
  let firstLineAt = 0
  const second = await runDemo(() => (firstLineAt ||= Date.now()))
  expect(second.code).toBe(0)
  // It waits for the dead lease (10 s in the quick start's config) — unless starting the process
  // took longer than that on a busy machine, in which case the lease had lapsed before it looked.
  const waited = /session "quickstart" is still leased by a process that stopped \(.*\); waiting \d+ s for its lease to expire/
  if (!waited.test(second.out)) expect(firstLineAt).toBeGreaterThanOrEqual(expiresAt)
  expect(second.out).toContain(`resumed session "quickstart" at trial ${committed.length}`)
  expect(second.out).toContain(`completed (max-trials): session "quickstart" after ${TRIALS} trials`)
  expect(await trialIndices()).toEqual([...Array(TRIALS).keys()])
}, 180_000)
