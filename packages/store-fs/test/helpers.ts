import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { CheckpointHead, TrialRecord } from '@cairn/core'
import { childNodeArgs } from '../../../vitest.children.js'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../../..')

/** Absolute path of a fixture module. */
export function fixture(name: string): string {
  return join(here, 'fixtures', name)
}

/** A fresh temporary directory. */
export async function tempDir(prefix = 'cairn-store-fs-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A child process running a TypeScript fixture (see `childNodeArgs`), with its stdout as lines. */
export interface Child {
  proc: ChildProcess
  /** Resolves with the first stdout line matching `test`. */
  line(test: (line: string) => boolean): Promise<string>
  lines: string[]
  /** Writes one line to the child's stdin. */
  send(line: string): void
  stderr: () => string
  exited: Promise<number | null>
}

export function runChild(file: string, args: string[]): Child {
  const proc = spawn(process.execPath, [...childNodeArgs(file), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: repoRoot,
  })
  const lines: string[] = []
  const waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void }> = []
  let err = ''
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    lines.push(l)
    for (const w of [...waiters])
      if (w.test(l)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(l)
      }
  })
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    send: (line) => void proc.stdin?.write(`${line}\n`),
    line(test) {
      const seen = lines.find(test)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiters.push({ test, resolve })
        void exited.then((code) =>
          reject(new Error(`child exited (${code}) before the expected line; stderr:\n${err}\nstdout:\n${lines.join('\n')}`)),
        )
      })
    },
  }
}

/** Resolves with the first JSON line of `child` matching `test`. */
export async function message<T = Record<string, unknown>>(child: Child, test: (msg: T) => boolean): Promise<T> {
  const parse = (l: string): T | undefined => {
    try {
      return JSON.parse(l) as T
    } catch {
      return undefined
    }
  }
  const line = await child.line((l) => {
    const m = parse(l)
    return m !== undefined && m !== null && test(m)
  })
  return parse(line) as T
}

/** Kills a child with SIGKILL and waits for it to be reaped. */
export async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL')
  await child.exited
}

/** A valid new head (revision 0, lease token 1). */
export function newHead(sessionId: string, overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  const now = Date.now()
  return {
    sessionId,
    status: 'running',
    optimizer: { id: 'test/opt', stateVersion: 1 },
    optimizerOptions: {},
    seed: 1,
    direction: 'minimize',
    createdAt: now,
    updatedAt: now,
    progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now },
    limits: { maxTrials: null, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array([1, 2, 3]),
    rngState: '0123456789abcdef0123456789abcdef',
    pending: [],
    revision: 0,
    lease: { owner: 'creator', fencingToken: 1, expiresAt: now + 60_000 },
    ...overrides,
  }
}

/** A trial record with index `i` and score `i`. */
export function trial(i: number): TrialRecord {
  return { trialIdx: i, candidate: { x: i }, score: i, status: 'ok', durationMs: 1 }
}

/** The head after committing `n` more ok trials to `head`. */
export function advance(head: CheckpointHead, n: number, overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  const p = head.progress
  return {
    ...head,
    updatedAt: Date.now(),
    progress: { ...p, attempts: p.attempts + n, completed: p.completed + n, bestScore: 0, bestTrialIdx: 0 },
    optimizerState: new Uint8Array([p.attempts + n]),
    ...overrides,
  }
}
