import type { DashboardServer } from '@cairn/dashboard'
import { EXIT } from '../exit-codes.js'
import { Interrupts } from '../interrupts.js'
import type { CliIo } from '../io.js'

/**
 * Serves until the first Ctrl-C (or SIGTERM), then closes the server (a second signal quits at
 * once). Returns once it is closed.
 */
export async function serveUntilStopped(io: CliIo, server: DashboardServer): Promise<void> {
  const interrupts = new Interrupts(() => io.exit(EXIT.INTERRUPTED)).install()
  try {
    await new Promise<void>((stop) => interrupts.onSoft(stop))
    await server.close()
  } finally {
    interrupts.dispose()
  }
}
