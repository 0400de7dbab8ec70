import type { CliIo } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/program.js'
import { childEnv } from './cli.js'

/** What `cairn <args>` printed and returned, run in this process. */
export interface InProcessResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs `cairn <args>` in this process with captured streams: the CLI's own code, parser and
 * config loading, without the cost of a process (for outcomes that need no signal or second process).
 */
export async function runInProcess(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<InProcessResult> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    ({
      write: (chunk: string | Uint8Array) => {
        append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
        return true
      },
    }) as unknown as NodeJS.WritableStream
  const io: CliIo = {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: childEnv(opts.env),
    cwd: opts.cwd,
    exit: (code) => {
      throw new Error(`cairn asked to quit at once with ${code}`)
    },
  }
  const code = await runCli(args, io)
  return { code, stdout, stderr }
}

/** The one JSON error document a `--json` command printed on stderr (and nothing else there or on stdout). */
export function jsonError(r: InProcessResult): { code: string; message: string } & Record<string, unknown> {
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  if (lines.length !== 1 || r.stdout !== '')
    throw new Error(`expected one JSON line on stderr only; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
  const doc = JSON.parse(lines[0] as string) as Record<string, unknown>
  if (Object.keys(doc).join() !== 'error') throw new Error(`expected {"error":…}, got ${lines[0]}`)
  return doc['error'] as { code: string; message: string } & Record<string, unknown>
}
