/**
 * The quick start as a user runs it: `cairn run quickstart` (what `pnpm demo` runs) in a child
 * process, on the level store in a temporary directory (one per test).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach } from 'vitest'
import { createLevelStore } from '@cairn/store-level'
import { childNodeArgs } from '../../../vitest.children.js'

const config = fileURLToPath(new URL('../cairn.config.ts', import.meta.url))
const cli = fileURLToPath(new URL('../../../packages/cli/src/cli/main.ts', import.meta.url))
export const TRIALS = 8
let dir: string

/** Gives each test of the calling file a fresh temporary directory, the cwd of its `cairn` processes and home of their store. */
export function tempDirEachTest(): void {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-quickstart-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })
}

/** `cairn run quickstart` with the store in a temp dir and a short budget; `onLine` may send signals. */
export function runDemo(
  onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; out: string }> {
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
export async function leaseExpiry(): Promise<number> {
  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    return (await store.load('quickstart')).lease?.expiresAt ?? 0
  } finally {
    await store.close()
  }
}

export async function trialIndices(): Promise<number[]> {
  const store = createLevelStore({ location: join(dir, '.cairn') })
  try {
    return (await store.readTrials('quickstart')).map((t) => t.trialIdx)
  } finally {
    await store.close()
  }
}
