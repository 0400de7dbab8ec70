/** The `cairn` CLI's exit codes. Documented in docs/cli.md; never change their meaning. */
export const EXIT = {
  /** The command did what was asked (a run completed, or paused on request). */
  OK: 0,
  /** The session ended failed or cancelled, or every one of its trials failed. */
  SESSION_FAILED: 1,
  /** Bad input: unknown job, session or optimizer, a malformed flag, config or store URI, a store in use, a session in the wrong state (or not joinable by a worker). */
  BAD_INPUT: 2,
  /** Anything else: a store or network failure, a bug. */
  INTERNAL: 3,
  /** A second Ctrl-C: quit at once (the trial in flight is lost; committed ones are kept). */
  INTERRUPTED: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

const BAD_INPUT_CODES = new Set([
  'INVALID_INPUT',
  'NOT_FOUND',
  'ALREADY_TERMINAL',
  'ALREADY_RUNNING',
  'RESUME_MISMATCH',
  'NOT_PAUSED',
  'NOT_JOINABLE',
])

/** The exit code an error maps to: `BAD_INPUT` for the caller's mistakes, `INTERNAL` otherwise. */
export function exitCodeFor(err: unknown): ExitCode {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined
  if (typeof code === 'string' && BAD_INPUT_CODES.has(code)) return EXIT.BAD_INPUT
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.BAD_INPUT
  return EXIT.INTERNAL
}
