import { DeleteTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { createDynamoDbStore, createTable, type DynamoDbStore } from '../../src/index.js'
import { LOCAL_CLIENT_CONFIG } from './dynamodb-local.js'

let counter = 0

/** The endpoint of the project's DynamoDB Local (see global-setup.ts). */
export function endpoint(): string {
  return inject('dynamoDbEndpoint')
}

/** Client configuration for the project's DynamoDB Local. */
export function localConfig(extra: { maxAttempts?: number } = {}) {
  return { ...LOCAL_CLIENT_CONFIG, endpoint: endpoint(), ...extra }
}

/** A raw client for reaching under the store (corruption, inspection). */
export function rawClient(): DynamoDBClient {
  return new DynamoDBClient(localConfig())
}

/** A new, uniquely named table with this package's design. */
export async function newTable(prefix = 't'): Promise<string> {
  const tableName = `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`
  await createTable({ tableName, clientConfig: localConfig() })
  return tableName
}

/** Deletes a table (ignoring "not found"). */
export async function dropTable(tableName: string): Promise<void> {
  const client = rawClient()
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }))
  } catch {
    // already gone
  } finally {
    client.destroy()
  }
}

/** A store on a new table. */
export async function newStore(): Promise<{ store: DynamoDbStore; tableName: string; cleanup(): Promise<void> }> {
  const tableName = await newTable()
  const store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
  return { store, tableName, cleanup: () => dropTable(tableName) }
}

const GARBAGE = new TextEncoder().encode('this is not a Cairn record')

/** Overwrites the head item's stored encodings (its body and its listing) with garbage. */
export async function corruptHead(tableName: string, sessionId: string): Promise<void> {
  const client = rawClient()
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: sessionId }, sk: { S: 'head' } },
        UpdateExpression: 'SET #b = :g, #l = :l REMOVE #c, #n',
        ExpressionAttributeNames: { '#b': 'body', '#l': 'listing', '#c': 'chunkId', '#n': 'chunks' },
        ExpressionAttributeValues: { ':g': { B: GARBAGE }, ':l': { S: '{"garbage":' } },
      }),
    )
  } finally {
    client.destroy()
  }
}

/** Overwrites a warm-start entry's stored bytes with garbage. */
export async function corruptWarmStartEntry(tableName: string, key: string, runId: string): Promise<void> {
  const client = rawClient()
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `warm#${key}` }, sk: { S: `run#${runId}` } },
        UpdateExpression: 'SET #b = :g REMOVE #c, #n',
        ExpressionAttributeNames: { '#b': 'body', '#c': 'chunkId', '#n': 'chunks' },
        ExpressionAttributeValues: { ':g': { B: GARBAGE } },
      }),
    )
  } finally {
    client.destroy()
  }
}

/** Absolute path of the child module that opens a store on (endpoint, table). */
export const OPEN_STORE_MODULE = fileURLToPath(new URL('../fixtures/open-store.ts', import.meta.url))
