import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createLevelStore } from '@cairn/store-level'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const tsx = createRequire(import.meta.url).resolve('tsx')
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-quickstart-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function runDemo(onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@cairn/source', '--import', tsx, main], {
      cwd: dirname(main),
      env: { ...process.env, CAIRN_DIR: join(dir, '.cairn'), CAIRN_TRIALS: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let buffered = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) onLine?.(line, (signal) => child.kill(signal))
    })
    child.stderr.on('data', (chunk: Buffer) => (out += chunk))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, out }))
  })
}

test('Ctrl-C pauses after the trial in flight; running again resumes the same session to the end', async () => {
  let sent = false
  const first = await runDemo((line, kill) => {
    if (!sent && line.includes('trial  3/8')) {
      sent = true
      kill('SIGINT')
    }
  })
  expect(first.code).toBe(0)
  expect(first.out).toMatch(/paused after \d+ trials/)
  const pausedAt = Number(/paused after (\d+) trials/.exec(first.out)?.[1])
  expect(pausedAt).toBeGreaterThanOrEqual(3)

  const second = await runDemo()
  expect(second.code).toBe(0)
  expect(second.out).toContain(`resumed at trial ${pausedAt}`)
  expect(second.out).toContain('completed after 8 trials')

  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    const trials = await store.readTrials('quickstart')
    expect(trials.map((t) => t.trialIdx)).toEqual([...Array(8).keys()])
    expect((await store.load('quickstart')).status).toBe('completed')
  } finally {
    await store.close()
  }
})

test('after a SIGKILL the next run waits for the dead lease and resumes without losing committed trials', async () => {
  let killedAfter = 0
  await runDemo((line, kill) => {
    const m = /trial\s+(\d+)\/8/.exec(line)
    if (m && Number(m[1]) >= 2 && killedAfter === 0) {
      killedAfter = Number(m[1])
      kill('SIGKILL')
    }
  })
  expect(killedAfter).toBeGreaterThanOrEqual(2)
  const second = await runDemo()
  expect(second.code).toBe(0)
  expect(second.out).toContain('completed after 8 trials')
  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    expect((await store.readTrials('quickstart')).map((t) => t.trialIdx)).toEqual([...Array(8).keys()])
  } finally {
    await store.close()
  }
}, 120_000)
