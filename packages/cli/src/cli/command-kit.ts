import type { Command } from 'commander'
import type { ExitCode } from './exit-codes.js'
import type { CliIo } from './io.js'

/** What every command module gets: the program to add itself to, the streams, and where to put its exit code. */
export interface CommandKit {
  program: Command
  io: CliIo
  /** Records the command's exit code (the process exits with it). */
  exit(code: ExitCode): void
}
