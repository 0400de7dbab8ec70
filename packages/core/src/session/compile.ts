import { isCairnError, OptimizerError, TimeoutError } from '../errors.js'
import { CompileOptionsSchema } from './option-schemas.js'
import { startSession } from './start.js'
import type { CompileOptions, SessionResult } from './types.js'

/** Default `compile` timeout: 5 minutes. */
export const DEFAULT_COMPILE_TIMEOUT_MS = 300_000

/**
 * Starts a session and waits for it. On timeout the session is soft-cancelled (its trial in
 * flight finishes and is committed in the background) and `compile` rejects with an
 * `OptimizerError` whose `cause` is a `TimeoutError`. A failed session rejects with an
 * `OptimizerError` naming the reason.
 */
export async function compile<Example = unknown>(opts: CompileOptions<Example>): Promise<SessionResult> {
  CompileOptionsSchema.check(opts)
  const { timeoutMs = DEFAULT_COMPILE_TIMEOUT_MS, ...startOptions } = opts
  const handle = await startSession(startOptions)
  let result: SessionResult
  try {
    result = await handle.wait({ timeoutMs })
  } catch (err) {
    if (err instanceof TimeoutError) {
      void handle.cancel().catch(() => undefined)
      throw new OptimizerError(`compile of session "${handle.id}" timed out after ${timeoutMs} ms; it was cancelled`, { cause: err })
    }
    if (isCairnError(err)) throw err
    throw new OptimizerError(`compile of session "${handle.id}" failed: ${(err as Error).message}`, { cause: err })
  }
  if (result.status === 'failed')
    throw new OptimizerError(`session "${handle.id}" failed: ${result.terminalReason ?? 'unknown reason'}`, { cause: result })
  return result
}
