import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']

/** True for `localhost`, 127.0.0.0/8 and `::1`: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = bare(host).toLowerCase()
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** True for the addresses that mean "every interface". */
export function isWildcard(host: string): boolean {
  const h = bare(host)
  return h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0'
}

/** `host` as it appears in a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  const h = bare(host)
  return isIP(h) === 6 ? `[${h}]` : h
}

/** Strips the brackets of `[::1]`. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** Host names as the Host check compares them: lower case, IPv6 without brackets. */
export function normalizedHostNames(names: readonly string[]): Set<string> {
  return new Set(names.map((n) => bare(n).toLowerCase()))
}

/**
 * The host names a request's `Host` header may carry for a server bound to `host`: the bound
 * address itself; the loopback names when bound to loopback; every address of this machine and
 * its host name when bound to all interfaces. Lower case, IPv6 without brackets.
 */
export function acceptedHostNames(host: string): Set<string> {
  const names = new Set<string>([bare(host).toLowerCase()])
  if (isLoopback(host)) for (const n of LOOPBACK_NAMES) names.add(n)
  if (isWildcard(host)) {
    for (const n of LOOPBACK_NAMES) names.add(n)
    names.add(hostname().toLowerCase())
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase())
  }
  return names
}

/**
 * Splits a `Host` header into name and port (`[::1]:80` → `::1`, 80); null when it is not a
 * host[:port]. A missing port is returned as null.
 */
export function parseHostHeader(value: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim())
  if (!m) return null
  return { name: bare(m[1] as string).toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) }
}
