import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import type { CommandKit } from './command-kit.js'
import { registerAskTell } from './commands/ask-tell.js'
import { registerControl } from './commands/control.js'
import { registerDashboard } from './commands/dashboard.js'
import { registerJobs } from './commands/jobs.js'
import { registerLs } from './commands/ls.js'
import { registerMonitor } from './commands/monitor.js'
import { registerReport } from './commands/report.js'
import { registerResume } from './commands/resume.js'
import { registerRm } from './commands/rm.js'
import { registerRun } from './commands/run.js'
import { registerShow } from './commands/show.js'
import { registerWorker } from './commands/worker.js'
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes.js'
import { printError, processIo, type CliIo } from './io.js'
import { warningOfDroppedWrites } from './store-events.js'

function version(): string {
  try {
    // The same relative path from src/cli/ and from dist/cli/.
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** Options of `buildProgram`. */
export interface ProgramOptions {
  /**
   * `--json` is on the command line: commander prints nothing of its own errors (the caller
   * prints them as JSON).
   */
  json?: boolean
}

/** Builds the `cairn` program (commander) writing to `io`; each command records its exit code with `exit`. */
export function buildProgram(io: CliIo, exit: (code: ExitCode) => void, options: ProgramOptions = {}): Command {
  const program = new Command('cairn')
    .description(
      'Crash-safe, resumable optimization runs: run the jobs of cairn.config.ts, watch, pause, resume and report on their sessions.',
    )
    .version(version(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default: cairn.config.ts, .mts, .js or .mjs in the working directory)')
    .option(
      '-s, --store <uri>',
      'store, overriding the config: memory:, fs:<dir>, level:<dir> (default level:./.cairn), dynamodb://<table>?region=…&endpoint=…',
    )
    .option('--debug', 'print stack traces on errors')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(
      options.json
        ? { writeOut: (s) => io.stdout.write(s), writeErr: () => undefined, outputError: () => undefined }
        : { writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) },
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 success (completed, or paused on request), 1 session failed, cancelled or
all its trials failed, 2 bad input (unknown job/session/optimizer, bad flag, config or store
URI, no config file, store in use, a session a worker cannot join), 3 internal error, 130 a second Ctrl-C. With --json, an
error is one line of JSON on stderr: {"error":{"code":…,"message":…}}. See docs/cli.md.`,
    )
  const kit: CommandKit = { program, io, exit }
  registerRun(kit)
  registerResume(kit)
  registerWorker(kit)
  registerAskTell(kit)
  registerLs(kit)
  registerShow(kit)
  registerControl(kit)
  registerRm(kit)
  registerMonitor(kit)
  registerReport(kit)
  registerJobs(kit)
  registerDashboard(kit)
  return program
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: ExitCode = EXIT.OK
  // Known before parsing, so that even a malformed command line is answered in JSON.
  const format = { json: argv.includes('--json'), debug: argv.includes('--debug') }
  const program = buildProgram(io, (c) => (code = c), { json: format.json })
  try {
    if (argv.length === 0) {
      program.outputHelp()
      return EXIT.BAD_INPUT
    }
    await warningOfDroppedWrites(io, () => program.parseAsync(argv, { from: 'user' }))
    return code
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.OK
      // Commander printed its own message, unless under --json.
      if (format.json) printError(io, err, format)
      return EXIT.BAD_INPUT
    }
    printError(io, err, format)
    return exitCodeFor(err)
  }
}
