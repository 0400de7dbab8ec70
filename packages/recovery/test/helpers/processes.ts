import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { childNodeArgs } from '../../../../vitest.children.js'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../../../..')

/** Absolute path of a fixture module. */
export function fixture(name: string): string {
  return resolve(here, '../fixtures', name)
}

/** A child process running a TypeScript fixture (see `childNodeArgs`), its stdout parsed as JSON lines. */
export class Child {
  readonly proc: ChildProcess
  readonly messages: Array<Record<string, any>> = []
  readonly exited: Promise<number | null>
  private stderrText = ''
  private readonly waiters: Array<{ test: (m: Record<string, any>) => boolean; resolve: (m: Record<string, any>) => void }> = []

  constructor(file: string, args: string[]) {
    this.proc = spawn(process.execPath, [...childNodeArgs(file), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: repoRoot,
    })
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderrText += d.toString()))
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)))
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let message: Record<string, any>
      try {
        message = JSON.parse(line) as Record<string, any>
      } catch {
        return
      }
      this.messages.push(message)
      for (const w of [...this.waiters]) {
        if (w.test(message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(message)
        }
      }
    })
  }

  get pid(): number {
    return this.proc.pid as number
  }

  get stderr(): string {
    return this.stderrText
  }

  /** The first message (already seen or to come) passing `test`. */
  next(test: (m: Record<string, any>) => boolean, what: string, timeoutMs = 30_000): Promise<Record<string, any>> {
    const seen = this.messages.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what} from pid ${this.pid}; stderr: ${this.stderrText.slice(-2000)}`)),
        timeoutMs,
      )
      const w = {
        test,
        resolve: (m: Record<string, any>) => {
          clearTimeout(timer)
          resolve(m)
        },
      }
      this.waiters.push(w)
      void this.exited.then((code) => {
        if (!this.waiters.includes(w)) return
        clearTimeout(timer)
        reject(new Error(`pid ${this.pid} exited (${code}) before ${what}; stderr: ${this.stderrText.slice(-2000)}`))
      })
    })
  }

  /** Recovery events this child (a monitor) printed. */
  events(type?: string): Array<Record<string, any>> {
    return this.messages.flatMap((m) => (m.event && (type === undefined || m.event.type === type) ? [m.event as Record<string, any>] : []))
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.proc.stdin?.write(`${line}\n`)
  }

  /** SIGKILL, then wait for the exit. */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL')
    await this.exited
  }

  /** Asks a monitor child to stop, then waits for it to exit (SIGKILL after `timeoutMs`). */
  async stop(mode: 'stop' | 'drain' = 'stop', timeoutMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    this.proc.stdin?.write(`${mode}\n`)
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs)
    await this.exited
    clearTimeout(timer)
  }
}

/** Every child started through `spawnChild`, so `killAll` can clean up after a failing test. */
const children = new Set<Child>()

export function spawnChild(file: string, args: string[]): Child {
  const child = new Child(file, args)
  children.add(child)
  void child.exited.then(() => children.delete(child))
  return child
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.kill()))
}
