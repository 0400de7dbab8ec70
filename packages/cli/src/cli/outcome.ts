import type { Progress, SessionStatus, TrialRecord } from '@cairn/core'
import type { CliContext } from './context.js'
import { EXIT, type ExitCode } from './exit-codes.js'

/** What a finished (or paused) session's outcome is judged on. */
export interface SessionOutcome {
  sessionId: string
  status: SessionStatus
  terminalReason?: string
  progress: Progress
  /** The session's `maxErrors`, to say what was exceeded. */
  maxErrors: number
}

/**
 * Why the session makes the command fail (exit 1), or null when it succeeded (completed with at
 * least one successful trial, none run at all, or paused): `failed` — too many errors, an
 * optimizer error —, `cancelled`, or completed with every trial failed. The sentence names the
 * first error, read from the store.
 */
export async function sessionFailure(ctx: CliContext, o: SessionOutcome): Promise<string | null> {
  const { attempts, errors } = o.progress
  if (o.status === 'cancelled') return 'the session was cancelled'
  if (o.status === 'failed') {
    const reason = o.terminalReason ?? 'unknown reason'
    if (reason === 'max-errors')
      return `the session failed: ${errors} trial${errors === 1 ? '' : 's'} failed, more than maxErrors (${o.maxErrors}) allows${await firstError(ctx, o.sessionId)}`
    if (reason.startsWith('optimizer-error: '))
      return `the session failed: the optimizer failed: ${reason.slice('optimizer-error: '.length)}`
    return `the session failed: ${reason}`
  }
  if (o.status === 'completed' && attempts > 0 && errors >= attempts)
    return `${attempts === 1 ? 'the only trial failed' : `all ${attempts} trials failed`}${await firstError(ctx, o.sessionId)}`
  return null
}

/** The exit code of a session's outcome: 1 when `sessionFailure` found one, else 0. */
export function exitCodeForFailure(failure: string | null): ExitCode {
  return failure === null ? EXIT.OK : EXIT.SESSION_FAILED
}

/** `; first error: objective: boom` (the first failed trial's class and message), or '' when it cannot be read. */
async function firstError(ctx: CliContext, sessionId: string): Promise<string> {
  let trial: TrialRecord | undefined
  try {
    trial = (await ctx.cairn.trials(sessionId)).find((t) => t.status === 'error')
  } catch {
    return ''
  }
  if (!trial) return ''
  const message = trial.error?.message.split('\n')[0]
  return `; first error: ${trial.errorClass ?? trial.error?.name ?? 'error'}${message ? `: ${message}` : ''}`
}
