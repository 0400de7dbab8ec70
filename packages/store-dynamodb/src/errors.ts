import { CairnError, InvalidInputError } from '@cairn/core'

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
])
const SERVER = new Set(['InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException'])
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
])
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError'])

/**
 * A DynamoDB request failed and the store gave up: nothing it was doing became visible
 * (a commit is all or nothing; see the README's "Failures").
 *
 * `retryable` tells the two kinds apart. `true` (code `TIMEOUT`): throttling, a 5xx or a
 * network failure that outlasted the SDK's retries (`maxAttempts`, see `DEFAULT_CLIENT_CONFIG`);
 * trying again later may work, and the session driver does. `false` (code `INVALID_INPUT`):
 * DynamoDB refused the request (access denied, validation, missing table, item too large);
 * retrying the same request will not help, fix the configuration instead.
 */
export class DynamoDbRequestError extends CairnError {
  /** The DynamoDB operation, e.g. `UpdateItem`. */
  readonly operation: string
  readonly retryable: boolean
  /** Attempts the SDK made (when it says). */
  readonly attempts: number | undefined
  /** The SDK error's name, e.g. `ProvisionedThroughputExceededException` or `ECONNREFUSED`. */
  readonly awsName: string

  constructor(operation: string, tableName: string, cause: unknown) {
    const retryable = isRetryable(cause)
    const attempts = attemptsOf(cause)
    const awsName = nameOf(cause)
    const detail = cause instanceof Error ? cause.message : String(cause)
    super(
      retryable ? 'TIMEOUT' : 'INVALID_INPUT',
      `[@cairn/store-dynamodb] ${operation} on table "${tableName}" failed` +
        (attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '') +
        ` (${awsName}): ${detail}. ` +
        (retryable
          ? 'DynamoDB was throttling, failing or unreachable; nothing partial was made visible, try again later (or raise clientConfig.maxAttempts).'
          : 'DynamoDB refused the request; retrying will not help. Check the table name, region, credentials and IAM permissions (see the README).'),
      { cause },
    )
    this.operation = operation
    this.retryable = retryable
    this.attempts = attempts
    this.awsName = awsName
  }
}

/**
 * The table exists but does not have the key schema or index this store needs, or it does
 * not exist. Code `INVALID_INPUT`, field `tableName`. Raised by the first operation of a store.
 */
export class TableSchemaError extends InvalidInputError {
  readonly tableName: string
  constructor(tableName: string, problem: string) {
    super(
      `[@cairn/store-dynamodb] table "${tableName}" cannot be used: ${problem}. ` +
        'The store needs pk (S, HASH) + sk (S, RANGE) and a global secondary index "gsi1" on gsi1pk (S, HASH) + gsi1sk (S, RANGE); ' +
        'create the table with createTable({ tableName }) or see "Table design" in the README of @cairn/store-dynamodb.',
      'tableName',
    )
    this.tableName = tableName
  }
}

/** True for the SDK's conditional-check failure (a compare-and-set that did not hold). */
export function isConditionalFailure(err: unknown): err is Error & { Item?: Record<string, unknown> } {
  return nameOf(err) === 'ConditionalCheckFailedException'
}

/** True when DynamoDB says the table (or index) does not exist. */
export function isResourceNotFound(err: unknown): boolean {
  return nameOf(err) === 'ResourceNotFoundException'
}

/** Wraps anything that is not already a CairnError into a `DynamoDbRequestError`. */
export function requestError(operation: string, tableName: string, err: unknown): Error {
  if (err instanceof CairnError) return err
  return new DynamoDbRequestError(operation, tableName, err)
}

function isRetryable(err: unknown): boolean {
  const name = nameOf(err)
  if (THROTTLING.has(name) || SERVER.has(name) || NETWORK_NAMES.has(name) || NETWORK_CODES.has(name)) return true
  const e = err as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: unknown } | null
  if (e?.$retryable) return true
  const status = e?.$metadata?.httpStatusCode
  if (typeof status === 'number' && status >= 500) return true
  return typeof e?.code === 'string' && NETWORK_CODES.has(e.code)
}

function attemptsOf(err: unknown): number | undefined {
  const n = (err as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts
  return typeof n === 'number' ? n : undefined
}

function nameOf(err: unknown): string {
  if (err === null || typeof err !== 'object') return typeof err
  const e = err as { name?: unknown; code?: unknown }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code
  return typeof e.name === 'string' ? e.name : 'Error'
}
