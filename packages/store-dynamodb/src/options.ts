import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { InvalidInputError, defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'

/**
 * What this package sets on a client it creates (your `clientConfig` wins key by key):
 * - `retryMode: 'standard'`, `maxAttempts: 6` — the SDK retries throttling, 5xx and network
 *   errors up to 5 times with exponential backoff and full jitter (base 100 ms, so about 3 s
 *   in the worst case) before the store reports `DynamoDbRequestError` (`retryable: true`).
 *   The SDK's own default is 3 attempts; DynamoDB throttles in bursts, so we allow more.
 * - `requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 }` (ms) — a hung
 *   connection becomes a retryable timeout instead of hanging a commit forever (the SDK's
 *   default has no request timeout).
 */
export const DEFAULT_CLIENT_CONFIG = {
  retryMode: 'standard',
  maxAttempts: 6,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
} as const satisfies DynamoDBClientConfig

/** Options of `createDynamoDbStore`. */
export interface DynamoDbStoreOptions {
  /** The table (create it with `createTable`). Required. */
  tableName: string
  /**
   * A client to use. The store never destroys a client it was given; configure its retries
   * yourself (see `DEFAULT_CLIENT_CONFIG`).
   */
  client?: DynamoDBClient
  /**
   * Configuration of the client the store creates when `client` is not given (region,
   * endpoint, credentials …), merged over `DEFAULT_CLIENT_CONFIG`. `close()` destroys it.
   */
  clientConfig?: DynamoDBClientConfig
  /**
   * How many committed trial records a session's head carries inline before the store writes
   * them out as trial items, together in one `BatchWriteItem` after the commit that reached
   * the count (1–16, default 8). Every commit is one conditional write of the head either
   * way; a larger value means fewer requests per trial and a larger head item (each record
   * adds its size, typically a few hundred bytes, to every head write until it is written
   * out). See "Commit protocol" in the README.
   */
  inlineTrials?: number
}

/** Makes this package's `InvalidInputError`s (message prefixed with the package name). */
export function optionError(message: string, field: string | undefined): InvalidInputError {
  return new InvalidInputError(`[@cairn/store-dynamodb] ${message}`, field)
}

/** A DynamoDB client: an object with `send`. */
export const clientKind = k.withMethods(['send'], 'must be a DynamoDBClient from @aws-sdk/client-dynamodb')
/** A client configuration: an object (its fields are the SDK's to check). */
export const clientConfigKind = k.record('must be a DynamoDBClientConfig object ({ region, endpoint, credentials … })')

/** The keys `createDynamoDbStore` takes, and their checks (unknown keys refused). */
export const StoreOptionsSchema: OptionsSchema<DynamoDbStoreOptions> = defineOptions<DynamoDbStoreOptions>(
  '[@cairn/store-dynamodb] createDynamoDbStore',
  {
    tableName: k.any(),
    client: k.optional(clientKind),
    clientConfig: k.optional(clientConfigKind),
    inlineTrials: k.optional(k.integer(1, 16)),
  },
  { error: optionError },
)

/** Default of `DynamoDbStoreOptions.inlineTrials`. */
export const DEFAULT_INLINE_TRIALS = 8

/** `options.inlineTrials`, checked, or the default. */
export function inlineTrialsOf(value: unknown): number {
  if (value === undefined) return DEFAULT_INLINE_TRIALS
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > 16)
    throw new InvalidInputError(`[@cairn/store-dynamodb] must be an integer from 1 to 16, got ${String(value)}`, 'inlineTrials')
  return value as number
}

/** A client and whether the caller owns it. */
export interface ClientHandle {
  client: DynamoDBClient
  owned: boolean
}

/** The client to use: the given one, or a new one with `DEFAULT_CLIENT_CONFIG` under `clientConfig`. */
export function clientFrom(options: { client?: DynamoDBClient; clientConfig?: DynamoDBClientConfig }): ClientHandle {
  if (options.client !== undefined) {
    if (options.clientConfig !== undefined)
      throw new InvalidInputError('[@cairn/store-dynamodb] give either `client` or `clientConfig`, not both', 'clientConfig')
    if (typeof (options.client as { send?: unknown }).send !== 'function')
      throw new InvalidInputError('[@cairn/store-dynamodb] must be a DynamoDBClient from @aws-sdk/client-dynamodb', 'client')
    return { client: options.client, owned: false }
  }
  return { client: new DynamoDBClient({ ...DEFAULT_CLIENT_CONFIG, ...(options.clientConfig ?? {}) }), owned: true }
}

/** Throws `InvalidInputError` unless `name` is a valid DynamoDB table name. */
export function checkTableName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(name))
    throw new InvalidInputError(
      `[@cairn/store-dynamodb] ${JSON.stringify(name)} is not a DynamoDB table name (3–255 of A–Z a–z 0–9 _ . -)`,
      'tableName',
    )
}
