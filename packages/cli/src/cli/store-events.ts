import diagnostics from 'node:diagnostics_channel'
import { CHANNEL_NAMES } from '@cairn/core'
import { line, type CliIo } from './io.js'

/**
 * Runs `fn` while printing one `warning:` line on stderr for each last write of a session that
 * a store dropped (`cairn:store:dropped`: cut short by a crash, or damaged since) — which
 * session, what was dropped and where its bytes were kept, as the store words it.
 */
export async function warningOfDroppedWrites<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  const onDropped = (event: unknown): void => {
    const e = (event ?? {}) as { message?: unknown; sessionId?: unknown }
    const text =
      typeof e.message === 'string' ? e.message : `the store dropped the damaged last write of session ${JSON.stringify(e.sessionId)}`
    line(io.stderr, `warning: ${text}`)
  }
  diagnostics.subscribe(CHANNEL_NAMES.storeDropped, onDropped)
  try {
    return await fn()
  } finally {
    diagnostics.unsubscribe(CHANNEL_NAMES.storeDropped, onDropped)
  }
}
