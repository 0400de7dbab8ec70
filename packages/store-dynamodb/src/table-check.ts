import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb'
import { TableSchemaError, isResourceNotFound, requestError } from './errors.js'
import { GSI_PK, GSI_SK, INDEX_NAME, INDEX_PROJECTION, PK, SK } from './table-design.js'

/** `DescribeTable`; `undefined` when the table does not exist. */
export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }))
    return out.Table
  } catch (err) {
    if (isResourceNotFound(err)) return undefined
    throw requestError('DescribeTable', tableName, err)
  }
}

/**
 * Checks that `table` has this package's design (see `table-design.ts`): string keys pk/sk,
 * and index `gsi1` on string keys gsi1pk/gsi1sk projecting the listing attributes.
 * Throws `TableSchemaError` naming what differs.
 */
export function checkTableDesign(tableName: string, table: TableDescription | undefined): void {
  if (!table) throw new TableSchemaError(tableName, 'it does not exist (in this account and region)')
  const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]))
  const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined): string =>
    (schema ?? []).map((k) => `${k.AttributeName}:${types.get(k.AttributeName) ?? '?'}:${k.KeyType}`).join(', ')
  const wantKey = `${PK}:S:HASH, ${SK}:S:RANGE`
  const gotKey = keyOf(table.KeySchema)
  if (gotKey !== wantKey) throw new TableSchemaError(tableName, `its key schema is [${gotKey}], expected [${wantKey}]`)
  const index = (table.GlobalSecondaryIndexes ?? []).find((i) => i.IndexName === INDEX_NAME)
  if (!index) throw new TableSchemaError(tableName, `it has no global secondary index "${INDEX_NAME}"`)
  const wantIndexKey = `${GSI_PK}:S:HASH, ${GSI_SK}:S:RANGE`
  const gotIndexKey = keyOf(index.KeySchema)
  if (gotIndexKey !== wantIndexKey)
    throw new TableSchemaError(tableName, `index "${INDEX_NAME}" has keys [${gotIndexKey}], expected [${wantIndexKey}]`)
  const projection = index.Projection
  if (projection?.ProjectionType !== 'ALL') {
    const have = new Set(projection?.ProjectionType === 'INCLUDE' ? (projection.NonKeyAttributes ?? []) : [])
    const missing = INDEX_PROJECTION.filter((a) => !have.has(a))
    if (missing.length > 0)
      throw new TableSchemaError(
        tableName,
        `index "${INDEX_NAME}" does not project ${missing.join(', ')} (projection ${projection?.ProjectionType ?? 'none'})`,
      )
  }
}
