import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InvalidInputError } from '@cairn/core'
import { childrenFromSources, SOURCE_MODE } from './source-mode.js'

/** The child entry points testkit ships. */
export type ChildScript = 'store-child' | 'session-child' | 'trial-child'

/**
 * Absolute path of one of testkit's child scripts: `.ts` when the children run from sources,
 * `.js` from `dist/` (see `childrenFromSources`).
 */
export function childScriptPath(name: ChildScript): string {
  // From sources this file is src/process/spawn.ts; from dist it is bundled into dist/index.js
  // and the children are built to dist/process/*.js (see tsup.config.ts).
  if (childrenFromSources()) return fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  return fileURLToPath(
    SOURCE_MODE ? new URL(`../../dist/process/${name}.js`, import.meta.url) : new URL(`./process/${name}.js`, import.meta.url),
  )
}

const TS_FILE = /\.[cm]?tsx?$/

/** The node arguments that run `script`, loading tsx when it or any of `modules` is TypeScript. */
export function nodeArgs(script: string, modules: readonly string[]): string[] {
  const args: string[] = []
  if (childrenFromSources()) args.push('--conditions=@cairn/source')
  if ([script, ...modules].some((m) => TS_FILE.test(m))) args.push('--import', tsxLoader([...modules, script]))
  return [...args, script]
}

function tsxLoader(near: readonly string[]): string {
  const bases = [...near, join(process.cwd(), 'package.json'), fileURLToPath(import.meta.url)]
  for (const base of bases) {
    try {
      return pathToFileURL(createRequire(base).resolve('tsx/esm')).href
    } catch {
      // try the next place
    }
  }
  throw new InvalidInputError('[@cairn/testkit] running a .ts child module needs tsx: add it as a devDependency', 'child.module')
}

/** A running child process that speaks JSON lines on stdout. */
export interface Child {
  readonly process: ChildProcess
  /** Every JSON message received so far, in order. */
  readonly messages: unknown[]
  /** Resolves with the first message (received or to come) matching `match`; rejects if the child exits first or after `timeoutMs`. */
  next<T = Record<string, unknown>>(match: (msg: T) => boolean, timeoutMs?: number): Promise<T>
  /** Writes one line to the child's stdin. */
  send(line: string): void
  /** Resolves when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILLs the child (if still running) and waits for it to be gone. */
  kill(): Promise<void>
  /** What the child wrote to stderr (for failure messages). */
  stderr(): string
}

/**
 * Starts `node <script> <json config>` (see `nodeArgs`). Its stdin stays open: the children
 * exit on their own when it closes, so a dying parent never leaves them behind.
 */
export function spawnChild(name: ChildScript, config: unknown, tsModules: readonly string[]): Child {
  const script = childScriptPath(name)
  const proc = spawn(process.execPath, [...nodeArgs(script, tsModules), JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
  })
  const messages: unknown[] = []
  const waiters = new Set<() => void>()
  let err = ''
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000)
  })
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line))
    } catch {
      return // not a protocol line
    }
    for (const w of [...waiters]) w()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      exitInfo = { code, signal }
      for (const w of [...waiters]) w()
      resolve(exitInfo)
    })
  })
  proc.stdin?.on('error', () => undefined)
  const describeExit = (): string =>
    `child ${name} exited (code ${exitInfo?.code ?? 'none'}, signal ${exitInfo?.signal ?? 'none'}); stderr:\n${err.trim() || '(empty)'}`
  return {
    process: proc,
    messages,
    exited,
    stderr: () => err,
    send(line) {
      proc.stdin?.write(`${line}\n`)
    },
    next<T>(match: (msg: T) => boolean, timeoutMs = 30_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let seen = 0
        const check = (): void => {
          for (; seen < messages.length; seen++) {
            const msg = messages[seen] as T
            if (match(msg)) {
              done(() => resolve(msg))
              return
            }
          }
          if (exitInfo) done(() => reject(new Error(`[@cairn/testkit] expected message never came: ${describeExit()}`)))
        }
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`[@cairn/testkit] no matching message from child ${name} within ${timeoutMs} ms; stderr:\n${err.trim()}`)),
            ),
          timeoutMs,
        )
        const done = (fn: () => void): void => {
          clearTimeout(timer)
          waiters.delete(check)
          fn()
        }
        waiters.add(check)
        check()
      })
    },
    async kill() {
      if (!exitInfo) proc.kill('SIGKILL')
      await exited
    },
  }
}
