import {
  type AttributeValue,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { createDynamoDbStore, createTable, type DynamoDbStore } from '../../src/index.js'
import { bin, num } from '../../src/db.js'
import { inlineAttr, inlineOf } from '../../src/inline.js'
import { A, HEAD_SK, PK, SK, progressChunkSk, progressSk, trialSk } from '../../src/table-design.js'
import { localClientConfig } from '../../src/testing.js'

let counter = 0

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole run (vitest.dynamodb-local.ts at the repository root). */
    dynamoDbEndpoint: string
  }
}

/** The endpoint of the run's DynamoDB Local. */
export function endpoint(): string {
  return inject('dynamoDbEndpoint')
}

/** Client configuration for the project's DynamoDB Local. */
export function localConfig(extra: { maxAttempts?: number } = {}) {
  return { ...localClientConfig(endpoint()), ...extra }
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

/** Sets one attribute of an item under the store (no condition, no new stamp), as damage would. */
async function setAttribute(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
  name: string,
  value: AttributeValue,
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #a = :v',
      ExpressionAttributeNames: { '#a': name },
      ExpressionAttributeValues: { ':v': value },
    }),
  )
}

/** Sets one attribute of a session's head item under the store (see `setAttribute`). */
export async function setHeadAttribute(tableName: string, sessionId: string, name: string, value: AttributeValue): Promise<void> {
  const client = rawClient()
  try {
    await setAttribute(client, tableName, { [PK]: { S: sessionId }, [SK]: { S: HEAD_SK } }, name, value)
  } finally {
    client.destroy()
  }
}

/** Absolute path of the child module that opens a store on (endpoint, table). */
export const OPEN_STORE_MODULE = fileURLToPath(new URL('../fixtures/open-store.ts', import.meta.url))

/**
 * Applies `change` to the stored record of trial `trialIdx` of a session, where readers take it
 * from: the copy inline on the head item (from `inlineFrom` on), else its trial item. `change`
 * gets the record's bytes and returns new bytes, or null to remove the record.
 */
async function changeTrial(
  tableName: string,
  sessionId: string,
  trialIdx: number,
  change: (bytes: Uint8Array) => Uint8Array | null,
): Promise<void> {
  const client = rawClient()
  try {
    const key = { [PK]: { S: sessionId }, [SK]: { S: HEAD_SK } }
    const head = (await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item
    const attempts = num(head, A.attempts)
    const inc = num(head, A.inc)
    if (!head || attempts === undefined || inc === undefined || trialIdx >= attempts)
      throw new Error(`test support: session "${sessionId}" has no trial ${trialIdx}`)
    const inline = inlineOf(head, sessionId, attempts, inc)
    if (trialIdx >= inline.from) {
      const trials = inline.trials.flatMap((t) => {
        if (t.idx !== trialIdx) return [t]
        const bytes = change(t.bytes)
        return bytes ? [{ ...t, bytes }] : []
      })
      await setAttribute(client, tableName, key, A.inline, inlineAttr(trials))
      return
    }
    const trialKey = { [PK]: { S: sessionId }, [SK]: { S: trialSk(inc, trialIdx) } }
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: trialKey, ConsistentRead: true }))).Item
    const body = bin(item, A.body)
    if (!body) throw new Error(`test support: trial ${trialIdx} of "${sessionId}" has no body (chunked?)`)
    const bytes = change(body)
    if (bytes === null) await client.send(new DeleteItemCommand({ TableName: tableName, Key: trialKey }))
    else await setAttribute(client, tableName, trialKey, A.body, { B: bytes })
  } finally {
    client.destroy()
  }
}

/** Garbage in place of a trial record (the conformance suite's `corruptTrial`). */
export function corruptTrial(tableName: string, sessionId: string, trialIdx: number): Promise<void> {
  return changeTrial(tableName, sessionId, trialIdx, () => GARBAGE)
}

/** A trial record the head counts goes missing (the conformance suite's `dropTrial`). */
export function dropTrial(tableName: string, sessionId: string, trialIdx: number): Promise<void> {
  return changeTrial(tableName, sessionId, trialIdx, () => null)
}

/**
 * Flips one byte of the latest progress save of trial `trialIdx` (the conformance suite's
 * `corruptTrialProgress`): in the manifest item's bytes when inline, else in its first chunk.
 */
export async function corruptTrialProgress(tableName: string, sessionId: string, trialIdx: number): Promise<void> {
  const client = rawClient()
  try {
    const get = async (sk: string) =>
      (
        await client.send(
          new GetItemCommand({ TableName: tableName, Key: { [PK]: { S: sessionId }, [SK]: { S: sk } }, ConsistentRead: true }),
        )
      ).Item
    const inc = num(await get(HEAD_SK), A.inc)
    if (inc === undefined) throw new Error(`test support: session "${sessionId}" has no head`)
    const manifest = await get(progressSk(inc, trialIdx))
    const writeId = manifest?.[A.writeId]?.S
    const token = num(manifest, A.progressToken)
    if (!manifest || token === undefined) throw new Error(`test support: trial ${trialIdx} of "${sessionId}" has no progress`)
    const sk = writeId === undefined ? progressSk(inc, trialIdx) : progressChunkSk(inc, trialIdx, token, writeId, 0)
    const body = bin(writeId === undefined ? manifest : await get(sk), A.body)
    if (!body || body.length === 0)
      throw new Error(`test support: the progress of trial ${trialIdx} of "${sessionId}" holds no bytes to damage`)
    const damaged = Uint8Array.from(body)
    const at = Math.floor(damaged.length / 2)
    damaged[at] = (damaged[at] as number) ^ 0x20
    await setAttribute(client, tableName, { [PK]: { S: sessionId }, [SK]: { S: sk } }, A.body, { B: damaged })
  } finally {
    client.destroy()
  }
}
