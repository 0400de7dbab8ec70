import { isAbsolute, resolve } from 'node:path'
import { StoreUriError } from '../errors.js'

/** The store used when neither the config nor `--store` names one: the embedded LevelDB store in `./.cairn`. */
export const DEFAULT_STORE_URI = 'level:./.cairn'

/** A parsed store URI. Paths are absolute. */
export type StoreSpec =
  | { kind: 'memory' }
  | { kind: 'fs'; dir: string }
  | { kind: 'level'; location: string }
  | { kind: 'dynamodb'; tableName: string; region?: string; endpoint?: string }

const SCHEMES = '`memory:`, `fs:<dir>`, `level:<dir>` or `dynamodb://<table>?region=…&endpoint=…`'
const DYNAMODB_PARAMS = new Set(['region', 'endpoint'])

/**
 * Parses a store URI:
 * - `memory:` — an in-memory store (tests, trying things out; gone when the process exits);
 * - `fs:./dir` — `@cairn/store-fs` in that directory (several processes on one machine);
 * - `level:./.cairn` — `@cairn/store-level` (embedded LevelDB: one process writes, others read through it);
 * - `dynamodb://table?region=eu-west-1&endpoint=http://localhost:8000` — `@cairn/store-dynamodb`.
 *
 * Relative paths are resolved against `baseDir` (the directory of the config file, or the
 * working directory). Throws `StoreUriError` (code `INVALID_INPUT`) for anything else.
 */
export function parseStoreUri(uri: string, baseDir: string = process.cwd()): StoreSpec {
  if (typeof uri !== 'string' || uri.trim() === '') throw new StoreUriError(String(uri), `is not a store URI; use ${SCHEMES}`)
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$/s.exec(uri)
  if (!m) throw new StoreUriError(uri, `has no scheme; use ${SCHEMES} (for a directory, \`fs:${uri}\` or \`level:${uri}\`)`)
  const scheme = (m[1] as string).toLowerCase()
  const rest = m[2] as string
  switch (scheme) {
    case 'memory':
      if (rest !== '' && rest !== '//') throw new StoreUriError(uri, 'takes no path; write `memory:`')
      return { kind: 'memory' }
    case 'fs':
      return { kind: 'fs', dir: pathOf(uri, rest, baseDir) }
    case 'level':
      return { kind: 'level', location: pathOf(uri, rest, baseDir) }
    case 'dynamodb':
      return parseDynamoDb(uri, rest)
    default:
      throw new StoreUriError(uri, `has an unknown scheme "${scheme}:"; use ${SCHEMES}`)
  }
}

function pathOf(uri: string, rest: string, baseDir: string): string {
  // Accept `fs:./dir`, `fs:/abs/dir` and `fs:///abs/dir`.
  const path = rest.startsWith('///') ? rest.slice(2) : rest.startsWith('//') ? '' : rest
  if (path.trim() === '') throw new StoreUriError(uri, 'needs a directory, e.g. `fs:./.cairn-fs` or `level:./.cairn`')
  return isAbsolute(path) ? resolve(path) : resolve(baseDir, path)
}

function parseDynamoDb(uri: string, rest: string): StoreSpec {
  if (!rest.startsWith('//')) throw new StoreUriError(uri, 'must look like `dynamodb://<table>?region=…&endpoint=…`')
  let url: URL
  try {
    url = new URL(`dynamodb:${rest}`)
  } catch {
    throw new StoreUriError(uri, 'does not parse; write `dynamodb://<table>?region=…&endpoint=…`')
  }
  const tableName = decodeURIComponent(url.hostname || url.pathname.replace(/^\/+/, ''))
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName))
    throw new StoreUriError(
      uri,
      `names the table ${JSON.stringify(tableName)}, which is not a DynamoDB table name (3–255 of A–Z a–z 0–9 _ . -)`,
    )
  if (url.pathname !== '' && url.pathname !== '/' && url.hostname !== '')
    throw new StoreUriError(uri, 'has a path after the table name; write `dynamodb://<table>?region=…`')
  const spec: { kind: 'dynamodb'; tableName: string; region?: string; endpoint?: string } = { kind: 'dynamodb', tableName }
  for (const [key, value] of url.searchParams) {
    if (!DYNAMODB_PARAMS.has(key)) throw new StoreUriError(uri, `has an unknown parameter "${key}" (known: region, endpoint)`)
    if (value === '') throw new StoreUriError(uri, `has an empty "${key}"`)
    if (key === 'region') spec.region = value
    else {
      try {
        new URL(value)
      } catch {
        throw new StoreUriError(uri, `has an endpoint that is not a URL: ${JSON.stringify(value)}`)
      }
      spec.endpoint = value
    }
  }
  return spec
}

/** A store spec back as a URI (absolute paths), for messages and reports. */
export function formatStoreSpec(spec: StoreSpec): string {
  switch (spec.kind) {
    case 'memory':
      return 'memory:'
    case 'fs':
      return `fs:${spec.dir}`
    case 'level':
      return `level:${spec.location}`
    case 'dynamodb': {
      const q = new URLSearchParams()
      if (spec.region) q.set('region', spec.region)
      if (spec.endpoint) q.set('endpoint', spec.endpoint)
      const qs = q.toString()
      return `dynamodb://${spec.tableName}${qs ? `?${qs}` : ''}`
    }
  }
}
