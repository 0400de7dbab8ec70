import { InvalidInputError } from '@cairn/core'

/** The prefix of every message this package writes. */
export const PKG = '[@cairn/dashboard]'

/** A malformed `createDashboardServer` option. `field` names it (e.g. `host`, `token`). */
export class DashboardOptionError extends InvalidInputError {
  constructor(field: string, message: string) {
    super(`${PKG} ${field}: ${message}`)
    ;(this as { field: string | undefined }).field = field
  }
}

/**
 * The server could not listen on the host and port asked for: the port is taken, needs
 * privileges, or the host is not an address of this machine. `field` is `port` or `host`.
 */
export class ListenError extends InvalidInputError {
  readonly host: string
  readonly port: number
  constructor(host: string, port: number, field: 'port' | 'host', detail: string, options?: { cause?: unknown }) {
    super(`${PKG} cannot listen on ${host}:${port}: ${detail}`)
    ;(this as { field: string | undefined }).field = field
    this.host = host
    this.port = port
    if (options?.cause !== undefined) this.cause = options.cause
  }
}
