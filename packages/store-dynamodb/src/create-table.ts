import {
  CreateTableCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type DynamoDBClientConfig,
  type Tag,
} from '@aws-sdk/client-dynamodb'
import { MAX_TIMER_MS, defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import { requestError } from './errors.js'
import { checkTableName, clientConfigKind, clientFrom, clientKind, optionError } from './options.js'
import { checkTableDesign, describeTable } from './table-check.js'
import { GSI_PK, GSI_SK, INDEX_NAME, INDEX_PROJECTION, PK, SK } from './table-design.js'

/** Options of `createTable`. */
export interface CreateTableOptions {
  tableName: string
  /** A client to use (not destroyed). Give this or `clientConfig`. */
  client?: DynamoDBClient
  /** Configuration of a client created for the call (and destroyed after it). */
  clientConfig?: DynamoDBClientConfig
  /** Default `PAY_PER_REQUEST` (on-demand). */
  billingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED'
  /** Capacity units for `PROVISIONED`, used for the table and its index alike. Default 5 / 5. */
  provisioned?: { readCapacityUnits: number; writeCapacityUnits: number }
  /** Tags to put on the table. */
  tags?: Tag[]
  /** Longest wait for the table to become ACTIVE, seconds. Default 300; at most 2,147,483 (setTimeout's limit). */
  maxWaitSeconds?: number
}

/** The longest `maxWaitSeconds`: the SDK's waiter arms a timer, and setTimeout's limit is 2^31 − 1 ms. */
const MAX_WAIT_SECONDS = Math.floor(MAX_TIMER_MS / 1000)

const CreateTableOptionsSchema: OptionsSchema<CreateTableOptions> = defineOptions<CreateTableOptions>(
  '[@cairn/store-dynamodb] createTable',
  {
    tableName: k.any(),
    client: k.optional(clientKind),
    clientConfig: k.optional(clientConfigKind),
    billingMode: k.optional(k.oneOf(['PAY_PER_REQUEST', 'PROVISIONED'])),
    provisioned: k.optional(k.object({ readCapacityUnits: k.integer(1), writeCapacityUnits: k.integer(1) })),
    tags: k.optional(k.array('must be an array of { Key, Value } tags')),
    maxWaitSeconds: k.optional(k.number(1, MAX_WAIT_SECONDS)),
  },
  { error: optionError },
)

/** What `createTable` did. */
export interface CreateTableResult {
  /** False when the table existed already (and has the right design). */
  created: boolean
}

/**
 * Creates the table this store needs — keys `pk`/`sk` (strings) and the index `gsi1`
 * (`gsi1pk`/`gsi1sk`, projecting the listing attributes) — and waits until it is ACTIVE.
 * An existing table of that name is checked instead: right design → `{ created: false }`,
 * wrong design → `TableSchemaError`. Needs `dynamodb:CreateTable` and `dynamodb:DescribeTable`.
 */
export async function createTable(options: CreateTableOptions): Promise<CreateTableResult> {
  CreateTableOptionsSchema.check(options)
  checkTableName(options.tableName)
  const { client, owned } = clientFrom(options)
  const tableName = options.tableName
  try {
    const billingMode = options.billingMode ?? 'PAY_PER_REQUEST'
    const throughput =
      billingMode === 'PROVISIONED'
        ? {
            ProvisionedThroughput: {
              ReadCapacityUnits: options.provisioned?.readCapacityUnits ?? 5,
              WriteCapacityUnits: options.provisioned?.writeCapacityUnits ?? 5,
            },
          }
        : {}
    const existing = await describeTable(client, tableName)
    if (existing) {
      checkTableDesign(tableName, existing)
      await waitActive(client, tableName, options.maxWaitSeconds)
      return { created: false }
    }
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: billingMode,
          ...throughput,
          AttributeDefinitions: [
            { AttributeName: PK, AttributeType: 'S' },
            { AttributeName: SK, AttributeType: 'S' },
            { AttributeName: GSI_PK, AttributeType: 'S' },
            { AttributeName: GSI_SK, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: PK, KeyType: 'HASH' },
            { AttributeName: SK, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: INDEX_NAME,
              KeySchema: [
                { AttributeName: GSI_PK, KeyType: 'HASH' },
                { AttributeName: GSI_SK, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...INDEX_PROJECTION] },
              ...throughput,
            },
          ],
          ...(options.tags ? { Tags: options.tags } : {}),
        }),
      )
    } catch (err) {
      // Someone else created it in the meantime: check theirs.
      if ((err as { name?: unknown }).name === 'ResourceInUseException') {
        await waitActive(client, tableName, options.maxWaitSeconds)
        checkTableDesign(tableName, await describeTable(client, tableName))
        return { created: false }
      }
      throw requestError('CreateTable', tableName, err)
    }
    await waitActive(client, tableName, options.maxWaitSeconds)
    return { created: true }
  } finally {
    if (owned) client.destroy()
  }
}

/** Waits until the table is ACTIVE. */
export async function waitActive(client: DynamoDBClient, tableName: string, maxWaitSeconds = 300): Promise<void> {
  try {
    await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 }, { TableName: tableName })
  } catch (err) {
    throw requestError('DescribeTable', tableName, err)
  }
}
