import { CreateTableCommand } from '@aws-sdk/client-dynamodb'
import { makeHead } from '@cairn/testkit'
import { afterEach, describe, expect, test } from 'vitest'
import { createDynamoDbStore, createTable, TableSchemaError } from '../src/index.js'
import { dropTable, localConfig, newTable, rawClient } from './support/tables.js'

const tables: string[] = []
afterEach(async () => {
  for (const t of tables.splice(0)) await dropTable(t)
})

async function rawTable(input: Omit<ConstructorParameters<typeof CreateTableCommand>[0], 'TableName'>): Promise<string> {
  const tableName = `raw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  tables.push(tableName)
  const client = rawClient()
  try {
    await client.send(new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...input }))
  } finally {
    client.destroy()
  }
  return tableName
}

describe('the table is checked on first use', () => {
  test('a table with another key schema → TableSchemaError naming the difference, at the first operation', async () => {
    const tableName = await rawTable({
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    })
    const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    const err = await store.create(makeHead()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TableSchemaError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'tableName' })
    expect((err as Error).message).toContain('[@cairn/store-dynamodb]')
    expect((err as Error).message).toContain('key schema is [id:S:HASH]')
    await expect(store.list()).rejects.toBeInstanceOf(TableSchemaError)
    await store.close()
  })

  test('right keys but no index → TableSchemaError', async () => {
    const tableName = await rawTable({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    })
    const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    await expect(store.load('x')).rejects.toThrow(/no global secondary index "gsi1"/)
    await store.close()
  })

  test('a numeric sort key is refused too', async () => {
    const tableName = await rawTable({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    })
    const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    await expect(store.load('x')).rejects.toThrow(/key schema is \[pk:S:HASH, sk:N:RANGE\]/)
    await store.close()
  })

  test('a missing table → TableSchemaError telling how to create it; createTable then fixes it for the same store', async () => {
    const tableName = `missing-${process.pid}-${Date.now().toString(36)}`
    tables.push(tableName)
    const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    const err = await store.load('x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TableSchemaError)
    expect((err as Error).message).toMatch(/does not exist.*createTable/)
    expect(await createTable({ tableName, clientConfig: localConfig() })).toEqual({ created: true })
    await expect(store.load('x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await store.close()
  })

  test('createTable is idempotent and refuses to adopt a table of another design', async () => {
    const tableName = await newTable('idem')
    tables.push(tableName)
    expect(await createTable({ tableName, clientConfig: localConfig() })).toEqual({ created: false })
    const wrong = await rawTable({
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    })
    await expect(createTable({ tableName: wrong, clientConfig: localConfig() })).rejects.toBeInstanceOf(TableSchemaError)
  })

  test('bad options are refused up front', () => {
    expect(() => createDynamoDbStore({ tableName: 'a/b' })).toThrow(/not a DynamoDB table name/)
    expect(() => createDynamoDbStore({ tableName: 'good-name', client: {} as never })).toThrow(/DynamoDBClient/)
  })

  test('a closed store refuses further calls', async () => {
    const tableName = await newTable('closed')
    tables.push(tableName)
    const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    await store.close()
    await expect(store.list()).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
