import type { MiddlewareHandler } from 'hono'
import { TOKEN_HEADER } from '../api/types.js'
import { HttpProblem } from './api-error.js'
import { parseHostHeader } from './host-names.js'
import { tokenMatches } from './token.js'

/** Who may ask what. */
export interface AccessRules {
  /** Host names the `Host` header may carry with the server's port (lower case, IPv6 without brackets). */
  hostNames: ReadonlySet<string>
  /** Names allowed with any port (`allowedHosts`: a name a proxy in front forwards). */
  allowedNames: ReadonlySet<string>
  /** The port the server listens on (known once listening). */
  port(): number
  token: string
  /** Reads of the API need the token too (the server is exposed beyond loopback). */
  readsNeedToken: boolean
}

/**
 * Refuses a request whose `Host` header names another host (403): a page of another site whose
 * DNS name was re-pointed at this machine (DNS rebinding) sends its own name there, so it never
 * reaches the API even though the browser thinks it is same-origin.
 */
export function hostCheck(rules: AccessRules): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('host')
    const host = header === undefined ? null : parseHostHeader(header)
    const portOk = host !== null && (host.port === null ? rules.port() === 80 : host.port === rules.port())
    const ok = host !== null && (rules.allowedNames.has(host.name) || (rules.hostNames.has(host.name) && portOk))
    if (!ok)
      throw new HttpProblem(
        403,
        `requests must name this server's host in their Host header (got ${header === undefined ? 'none' : JSON.stringify(header)}); ` +
          'to reach it under another name, start it with that name allowed (allowedHosts)',
      )
    await next()
  }
}

/** The event stream's path, the one request that may carry the token as `?token=`. */
const EVENTS_PATH = /^\/api\/sessions\/[^/]+\/events$/

/**
 * Checks the `x-cairn-token` header (constant-time) on every write, and on reads of the API when
 * `readsNeedToken`. An event stream may carry it as `?token=` instead: a browser's EventSource
 * cannot set headers.
 */
export function tokenCheck(rules: AccessRules): MiddlewareHandler {
  return async (c, next) => {
    const write = c.req.method !== 'GET' && c.req.method !== 'HEAD'
    if (write || rules.readsNeedToken) {
      const given = c.req.header(TOKEN_HEADER) ?? (EVENTS_PATH.test(c.req.path) ? c.req.query('token') : undefined)
      if (!tokenMatches(given, rules.token))
        throw new HttpProblem(
          401,
          `${given === undefined ? 'missing' : 'wrong'} access token: send the token printed when the dashboard started, in the ${TOKEN_HEADER} header ` +
            '(the page reads it from the #token=… part of the start URL)',
        )
    }
    await next()
  }
}
