import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childNodeArgs, childrenRunBuilt } from '../../../../vitest.children.js'

/** The CLI's source entry, as an absolute path (the child's cwd is a temp dir). */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
export const FIXTURE_CONFIG = fileURLToPath(new URL('../fixtures/cairn.config.ts', import.meta.url))
/** The package's bin, which runs the built CLI (dist/), as an installed `cairn` does. */
export const BUILT_BIN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url))

/**
 * How the CLI in a child process prints a command back ("resume with: …"): the repository's root
 * script `pnpm cairn` from source, `cairn` when it runs built (see `childNodeArgs`).
 */
export function printedCommand(): string {
  return childrenRunBuilt() ? 'cairn' : 'pnpm cairn'
}

/** A running CLI process with its output so far. */
export interface CliProcess {
  child: ChildProcess
  /** stdout + stderr interleaved as received. */
  output(): string
  stdout(): string
  stderr(): string
  /** Resolves with the first output line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Resolves with the exit code (signal exits give 128 + n). */
  exited: Promise<number>
}

/**
 * Environment for a child CLI: no package-script variables (they change the hints it prints),
 * plain progress, and only the `CAIRN_TEST_*` settings given in `extra` (a test may set them in
 * this process for a config it loads here; concurrent tests must not inherit them).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k.startsWith('CAIRN_TEST_')) delete env[k]
  return { ...env, CAIRN_PROGRESS: 'plain', ...extra }
}

/** `cairn <args>` as one shell command line (for `script`, which runs it on a pseudo-terminal). */
export function shellCommand(args: string[]): string {
  return [process.execPath, ...childNodeArgs(CLI_MAIN), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
}

/**
 * Where `cairn` runs: as the project's child processes do (`childNodeArgs`: from source, or
 * built when every package's build is fresh), or always the built CLI through its bin (`built: true`).
 */
export interface CliOptions {
  cwd: string
  env?: Record<string, string>
  built?: boolean
}

/** Spawns `cairn <args>` (the real CLI, real signals). */
export function startCli(args: string[], opts: CliOptions): CliProcess {
  const entry = opts.built ? [BUILT_BIN] : childNodeArgs(CLI_MAIN)
  const env = childEnv(opts.env)
  // The built CLI runs as installed: no loader or condition inherited from this process.
  if (opts.built) delete env['NODE_OPTIONS']
  const child = spawn(process.execPath, [...entry, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let all = ''
  let out = ''
  let err = ''
  const waiters: Array<{ pattern: RegExp; resolve: (l: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = []
  let pending = ''
  const onLine = (l: string): void => {
    for (const w of [...waiters]) {
      if (w.pattern.test(l)) {
        clearTimeout(w.timer)
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(l)
      }
    }
  }
  const feed = (chunk: string): void => {
    all += chunk
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const l of lines) onLine(l)
  }
  child.stdout?.setEncoding('utf8').on('data', (c: string) => ((out += c), feed(c)))
  child.stderr?.setEncoding('utf8').on('data', (c: string) => ((err += c), feed(c)))
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (pending) onLine(pending)
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer)
        w.reject(new Error(`cairn exited (${code ?? signal}) before printing ${w.pattern}; output:\n${all}`))
      }
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15))
    })
  })
  return {
    child,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      const seen = all.split('\n').find((l) => pattern.test(l))
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${all}`)), timeoutMs)
        waiters.push({ pattern, resolve, reject, timer })
      })
    },
  }
}

/** Runs `cairn <args>` to the end. */
export async function runCli(args: string[], opts: CliOptions): Promise<{ code: number; stdout: string; stderr: string; output: string }> {
  const p = startCli(args, opts)
  const code = await p.exited
  return { code, stdout: p.stdout(), stderr: p.stderr(), output: p.output() }
}
