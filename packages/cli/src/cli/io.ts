import { CairnError } from '@cairn/core'
import { CommanderError } from 'commander'
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

/** How `printError` writes. */
export interface ErrorFormat {
  /** Stack traces and causes. */
  debug: boolean
  /** One JSON document (`--json`) instead of text. */
  json: boolean
}

/**
 * Prints an error on stderr: one line (`error: …`), with `debug` its stack and causes; with
 * `json`, one line of JSON, `{"error":{"code":…,"message":…,…}}` (see `errorDocument`).
 */
export function printError(io: CliIo, err: unknown, format: ErrorFormat): void {
  if (format.json) {
    line(io.stderr, JSON.stringify(errorDocument(err, format.debug)))
    return
  }
  if (format.debug) {
    let e: unknown = err
    let prefix = 'error: '
    while (e !== undefined && e !== null) {
      line(io.stderr, prefix + (e instanceof Error ? (e.stack ?? e.message) : String(e)))
      e = e instanceof Error ? e.cause : undefined
      prefix = 'caused by: '
    }
    return
  }
  line(io.stderr, `error: ${messageOf(err).split('\n')[0]}${isInternal(err) ? ' (run with --debug for details)' : ''}`)
}

/** The keys of an error that `errorDocument` never copies as details. */
const NOT_DETAILS = new Set(['code', 'message', 'name', 'stack', 'cause'])

/**
 * An error as `--json` prints it: `{ error: { code, message, ...details } }`. `code` is the
 * Cairn error code (`NOT_FOUND`, `ALREADY_RUNNING`, `INVALID_INPUT` for a malformed command line
 * too …) or `INTERNAL`; the details are the error's own fields (`sessionId`, `leaseExpiresAt`,
 * `field`, `status` …). With `debug`, `stack` and the `causes`' messages are added.
 */
export function errorDocument(err: unknown, debug = false): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { code: codeOf(err), message: messageOf(err) }
  if (err instanceof CairnError)
    for (const [key, value] of Object.entries(err)) if (!NOT_DETAILS.has(key) && isJson(value)) error[key] = value
  if (debug && err instanceof Error) {
    error['stack'] = err.stack
    const causes: string[] = []
    for (let c: unknown = err.cause; c !== undefined && c !== null; c = c instanceof Error ? c.cause : undefined)
      causes.push(c instanceof Error ? c.message : String(c))
    if (causes.length > 0) error['causes'] = causes
  }
  return { error }
}

function codeOf(err: unknown): string {
  if (err instanceof CairnError) return err.code
  if (err instanceof CommanderError) return 'INVALID_INPUT'
  return 'INTERNAL'
}

function messageOf(err: unknown): string {
  if (err instanceof CommanderError) return commanderMessage(err)
  return err instanceof Error ? err.message : String(err)
}

/** Commander's message without its `error: ` prefix, on one line. */
function commanderMessage(err: CommanderError): string {
  if (err.code === 'commander.help') return 'no command given; `cairn --help` lists them'
  return err.message
    .replace(/^error: /, '')
    .replace(/\n+/g, ' ')
    .trim()
}

function isJson(value: unknown): boolean {
  if (value === undefined) return false
  try {
    JSON.stringify(value)
    return true
  } catch {
    return false
  }
}

function isInternal(err: unknown): boolean {
  return exitCodeFor(err) === EXIT.INTERNAL
}
