/**
 * Worker processes of bench/workers.ts, Cairn's (node) and Optuna's (python) alike, driven by
 * lines on their stdin and stdout:
 *
 * - the child prints `ready` once it has loaded its libraries, then waits for commands;
 * - `go <json>` makes it attach to a session (study) and evaluate trials until the session
 *   holds its trials; it prints `start <trial> <retried trial or -1> <epoch ms>` when its
 *   objective starts a trial and `done <json>` when it stops, then waits for the next command;
 *   it may print `mark <name> <trial> <epoch ms>` at moments of a trial worth timing (`marks`);
 * - any other command gets one answer line starting with the command's name.
 *
 * So one pool serves every worker count of a store, and a spare that is already `ready` starts
 * the moment it is told to (no import time inside a measurement).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** A trial started by a worker. */
export interface TrialStart {
  worker: PooledWorker
  trial: number
  /** The trial this one re-runs (Optuna's RetryFailedTrialCallback), else -1. */
  retriedOf: number
  /** Epoch ms, the child's clock (the same machine). */
  at: number
}

interface Waiter {
  prefix: string
  resolve(rest: string): void
  reject(err: Error): void
}

/** One child process of a pool. */
export class PooledWorker {
  /** The trial in flight and when it started (cleared by `done`). */
  current: { trial: number; at: number } | undefined
  /** Every trial start of this worker, in order. */
  readonly starts: TrialStart[] = []
  /** Moments the child marked (`mark <name> <trial> <epoch ms>` lines): name → trial → epoch ms, the latest of each. */
  readonly marks = new Map<string, Map<number, number>>()
  killed = false
  exited = false
  private readonly waiters: Waiter[] = []
  private stderr = ''

  constructor(
    readonly id: number,
    readonly child: ChildProcess,
    onStart: (s: TrialStart) => void,
  ) {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const space = line.indexOf(' ')
      const word = space < 0 ? line : line.slice(0, space)
      const rest = space < 0 ? '' : line.slice(space + 1)
      if (word === 'start') {
        const [trial, retriedOf, at] = rest.split(' ').map(Number) as [number, number, number]
        const s: TrialStart = { worker: this, trial, retriedOf, at }
        this.current = { trial, at }
        this.starts.push(s)
        onStart(s)
        return
      }
      if (word === 'mark') {
        const [name, trial, at] = rest.split(' ') as [string, string, string]
        let byTrial = this.marks.get(name)
        if (!byTrial) this.marks.set(name, (byTrial = new Map()))
        byTrial.set(Number(trial), Number(at))
        return
      }
      if (word === 'done') this.current = undefined
      for (const w of this.waiters.filter((w) => w.prefix === word)) {
        this.waiters.splice(this.waiters.indexOf(w), 1)
        w.resolve(rest)
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000)
    })
    child.on('exit', (code, signal) => {
      this.exited = true
      const err = new Error(`bench worker ${id} (pid ${child.pid}) exited (${signal ?? code}); stderr: ${this.stderr}`)
      for (const w of this.waiters.splice(0)) w.reject(err)
    })
  }

  /**
   * Resolves with the rest of the next line starting with `word` (every such waiter gets it);
   * rejects if the child exits first or after `timeoutMs`.
   */
  next(word: string, timeoutMs = 120_000): Promise<string> {
    if (this.exited) return Promise.reject(new Error(`bench worker ${this.id} has exited; stderr: ${this.stderr}`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new Error(`bench worker ${this.id}: no "${word}" within ${timeoutMs} ms; stderr: ${this.stderr}`))
      }, timeoutMs)
      const waiter: Waiter = {
        prefix: word,
        resolve: (rest) => (clearTimeout(timer), resolve(rest)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      }
      this.waiters.push(waiter)
    })
  }

  /** Writes one command line. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** Sends `command <json>` and resolves with the JSON of its answer line. */
  async ask<T>(command: string, payload: unknown, timeoutMs?: number): Promise<T> {
    const answer = this.next(command, timeoutMs)
    this.send(`${command} ${JSON.stringify(payload)}`)
    return JSON.parse(await answer) as T
  }

  /** SIGKILL. */
  kill(): void {
    this.killed = true
    this.child.kill('SIGKILL')
  }
}

/** Child processes started from one command line. */
export class WorkerPool {
  readonly workers: PooledWorker[] = []
  private readonly listeners = new Set<(s: TrialStart) => void>()

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly cwd?: string,
  ) {}

  /** Starts `n` more children and resolves when each has printed `ready`. */
  async grow(n: number, readyTimeoutMs = 180_000): Promise<PooledWorker[]> {
    const added: PooledWorker[] = []
    for (let i = 0; i < n; i++) {
      const child = spawn(this.command, [...this.args], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
      const w = new PooledWorker(this.workers.length, child, (s) => {
        for (const l of this.listeners) l(s)
      })
      this.workers.push(w)
      added.push(w)
    }
    await Promise.all(added.map((w) => w.next('ready', readyTimeoutMs)))
    return added
  }

  /** Workers alive and not killed. */
  alive(): PooledWorker[] {
    return this.workers.filter((w) => !w.exited && !w.killed)
  }

  /** Calls `fn` on every trial start until the returned function is called. */
  onStart(fn: (s: TrialStart) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** The next trial start matching `test`, or undefined after `timeoutMs`. */
  nextStart(test: (s: TrialStart) => boolean, timeoutMs: number): Promise<TrialStart | undefined> {
    return new Promise((resolve) => {
      const off = this.onStart((s) => {
        if (!test(s)) return
        off()
        clearTimeout(timer)
        resolve(s)
      })
      const timer = setTimeout(() => (off(), resolve(undefined)), timeoutMs)
    })
  }

  /** Ends every child's stdin (they exit), SIGKILLs those still running after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    const running = this.workers.filter((w) => !w.exited)
    const exits = running.map((w) => new Promise<void>((resolve) => (w.exited ? resolve() : w.child.once('exit', () => resolve()))))
    for (const w of running) w.child.stdin!.end()
    const timer = setTimeout(() => {
      for (const w of running) if (!w.exited) w.kill()
    }, graceMs)
    await Promise.all(exits)
    clearTimeout(timer)
  }
}
