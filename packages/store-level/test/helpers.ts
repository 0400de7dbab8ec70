import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CheckpointHead, CommitRequest, TrialRecord } from '@cairn/core'
import { Level } from 'level'
import { afterEach, beforeEach } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { childNodeArgs } from '../../../vitest.children.js'

/** A fresh temporary directory; `cleanup` removes it. */
export async function tempDir(prefix = 'cairn-level-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/**
 * For each test, a fresh directory and a LevelDB store on it, handed to `set`; after the test,
 * the store `current()` returns (a test may close it and open another) is closed and the
 * directory removed.
 */
export function levelStoreEachTest(set: (dir: string, store: LevelStore) => void, current: () => LevelStore): void {
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    const t = await tempDir()
    cleanup = t.cleanup
    set(t.dir, createLevelStore({ location: t.dir }))
  })
  afterEach(async () => {
    await current().close()
    await cleanup()
  })
}

/**
 * Runs `fn` on the raw LevelDB database at `dir` (utf8 keys, byte values), as a disk fault or
 * another tool would, then closes it. No store may have it open: LevelDB admits one opener.
 */
export async function withRawDatabase<T>(dir: string, fn: (db: Level<string, Uint8Array>) => Promise<T>): Promise<T> {
  const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

/** Starts a TypeScript fixture of `test/fixtures` in a child Node.js process (see `childNodeArgs`). */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  const file = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
  return spawn(process.execPath, [...childNodeArgs(file), ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Collects a child's output and exit. */
export function collect(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** A valid new head (revision 0, lease held by `owner` with token 1). */
export function newHead(sessionId: string, overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  const now = Date.now()
  return {
    sessionId,
    status: 'running',
    optimizer: { id: '@cairn/test/opt', stateVersion: 1 },
    optimizerOptions: { k: 1 },
    seed: 42,
    direction: 'minimize',
    createdAt: now,
    updatedAt: now,
    progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now },
    limits: { maxTrials: null, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array([1, 2, 3, 4]),
    rngState: '0123456789abcdef0123456789abcdef',
    pending: [],
    revision: 0,
    lease: { owner: 'tester', fencingToken: 1, expiresAt: now + 60_000 },
    ...overrides,
  }
}

/** A trial of about 300 encoded bytes. */
export function trialAt(trialIdx: number): TrialRecord {
  return {
    trialIdx,
    candidateId: `c-${trialIdx}`,
    candidate: { x: Math.sin(trialIdx) * 5, lr: 0.001 + (trialIdx % 7) * 1e-4, n: trialIdx % 64, kernel: trialIdx % 2 ? 'rbf' : 'linear' },
    score: Math.cos(trialIdx),
    status: 'ok',
    stats: { evals: 3, note: 'synthetic trial for tests and benchmarks' },
    durationMs: 12.5,
  }
}

/** The head after `trials` were run on top of `head`. */
export function advance(head: CheckpointHead, trials: TrialRecord[], patch: Partial<CheckpointHead> = {}): CheckpointHead {
  let { attempts, completed, errors, bestScore, bestTrialIdx } = head.progress
  for (const t of trials) {
    attempts++
    if (t.status === 'ok') {
      completed++
      if (t.score !== undefined && (bestScore === null || t.score < bestScore)) {
        bestScore = t.score
        bestTrialIdx = t.trialIdx
      }
    } else errors++
  }
  return {
    ...head,
    updatedAt: Date.now(),
    progress: { ...head.progress, attempts, completed, errors, bestScore, bestTrialIdx },
    optimizerState: new Uint8Array([attempts & 255, 9, 9]),
    ...patch,
  }
}

/**
 * Writes a session of `count` trials, one commit per trial, the last commit completing it
 * (as the driver does when it reaches `maxTrials`). Returns the trials written.
 */
export async function writeCompletedSession(
  store: { create(head: CheckpointHead): Promise<void>; commit(id: string, request: CommitRequest): Promise<{ revision: number }> },
  sessionId: string,
  count: number,
): Promise<TrialRecord[]> {
  let head = newHead(sessionId)
  await store.create(head)
  const trials: TrialRecord[] = []
  for (let i = 0; i < count; i++) {
    const trial = trialAt(i)
    const next = advance(head, [trial], i === count - 1 ? { status: 'completed', terminalReason: 'max-trials' } : {})
    const { revision } = await store.commit(sessionId, { expectedRevision: head.revision, fencingToken: 1, head: next, trials: [trial] })
    head = { ...next, revision }
    trials.push(trial)
  }
  return trials
}

/** Watches a child's stdout line by line: `waitFor` resolves with the first line matching `pattern`, or rejects when the child exits first. */
export function watchLines(child: ChildProcess): { waitFor(pattern: RegExp): Promise<string> } {
  const seen: string[] = []
  const waiters: Array<{ pattern: RegExp; resolve(line: string): void; reject(err: Error): void }> = []
  let rest = ''
  let exited = false
  const exitError = (pattern: RegExp) => new Error(`the child exited before printing a line matching ${pattern}: ${seen.join(' | ')}`)
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n')
    rest = parts.pop() ?? ''
    for (const line of parts) {
      seen.push(line)
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(line)
      }
    }
  })
  child.on('close', () => {
    exited = true
    for (const w of waiters.splice(0)) w.reject(exitError(w.pattern))
  })
  return {
    waitFor(pattern) {
      const line = seen.find((l) => pattern.test(l))
      if (line !== undefined) return Promise.resolve(line)
      if (exited) return Promise.reject(exitError(pattern))
      return new Promise<string>((resolve, reject) => waiters.push({ pattern, resolve, reject }))
    },
  }
}

/** Save `k` of a progress loop: 1–3 MB (the size changes with k), `k` and the length as u32 big-endian, then every byte `k * 37 mod 256`. */
export function progressSave(k: number): Uint8Array {
  const length = 1024 * 1024 + ((k * 7_919 * 1_009) % (2 * 1024 * 1024))
  const bytes = new Uint8Array(length).fill((k * 37) & 0xff)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, k)
  view.setUint32(4, length)
  return bytes
}

/** Which save of a progress loop `bytes` holds, and whether it is whole (every byte as `progressSave(k)` writes it). */
export function readProgressSave(bytes: Uint8Array): { k: number; intact: boolean } {
  if (bytes.length < 8) return { k: -1, intact: false }
  const k = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
  return { k, intact: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(progressSave(k)) }
}
