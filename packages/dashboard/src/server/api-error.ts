import { CairnError } from '@cairn/core'
import type { ApiError } from '../api/types.js'

/** An HTTP answer that is not a success: its status and `ApiError` body. */
export class HttpProblem extends Error {
  readonly status: number
  readonly code: string
  /**
   * `code` is a Cairn error code where one applies, else `HTTP_<status>`; `message` says what
   * to do about it.
   */
  constructor(status: number, message: string, code = `HTTP_${status}`) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The HTTP status of a Cairn error thrown while serving a request. */
const STATUS_OF: Partial<Record<string, number>> = {
  NOT_FOUND: 404,
  INVALID_INPUT: 400,
  ALREADY_TERMINAL: 409,
  ALREADY_RUNNING: 409,
  NOT_PAUSED: 409,
  REVISION_CONFLICT: 409,
  LEASE_LOST: 409,
  STORE_IO: 503,
}

/** The status and body a failed request is answered with. Errors that are not Cairn's own are internal (500). */
export function apiErrorOf(err: unknown): { status: number; body: ApiError } {
  if (err instanceof HttpProblem) return { status: err.status, body: { code: err.code, message: err.message } }
  if (err instanceof CairnError) return { status: STATUS_OF[err.code] ?? 500, body: { code: err.code, message: err.message } }
  const message = err instanceof Error ? err.message : String(err)
  return { status: 500, body: { code: 'HTTP_500', message: `internal error: ${message}` } }
}
