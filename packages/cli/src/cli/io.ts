import { EXIT, exitCodeFor } from './exit-codes.js'

/** Where the CLI writes: injectable so tests of the formatting need no process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
  cwd: string
  /** Quits the process at once (a second Ctrl-C). */
  exit(code: number): never
}

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), exit: (code) => process.exit(code) }
}

/** Writes one line to a stream. */
export function line(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`)
}

/** Prints `value` as JSON (one document) on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  line(io.stdout, JSON.stringify(value, null, 2))
}

/**
 * An error as one line (`error: …`), or with `debug` its stack and causes. Commander's own
 * errors were already printed by commander.
 */
export function printError(io: CliIo, err: unknown, debug: boolean): void {
  if (debug) {
    let e: unknown = err
    let prefix = 'error: '
    while (e !== undefined && e !== null) {
      line(io.stderr, prefix + (e instanceof Error ? (e.stack ?? e.message) : String(e)))
      e = e instanceof Error ? e.cause : undefined
      prefix = 'caused by: '
    }
    return
  }
  const message = err instanceof Error ? err.message : String(err)
  line(io.stderr, `error: ${message.split('\n')[0]}${isInternal(err) ? ' (run with --debug for details)' : ''}`)
}

function isInternal(err: unknown): boolean {
  return exitCodeFor(err) === EXIT.INTERNAL
}
