/**
 * Trial progress on DynamoDB beyond the conformance group: the chunked layout (350 KB chunks
 * behind a conditional manifest put), what a save costs in requests, a save cut off between its
 * chunks and its manifest, refusals that write no chunks, damaged or missing chunks.
 */
import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb'
import { makeHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDynamoDbStore, type DynamoDbStore } from '../src/index.js'
import { injectFault, networkError } from './support/faults.js'
import { recordRequests } from './support/requests.js'
import { corruptTrialProgress, dropTable, localConfig, newTable, rawClient } from './support/tables.js'

let tableName: string
let store: DynamoDbStore

beforeEach(async () => {
  tableName = await newTable('progress')
  store = createDynamoDbStore({ tableName, clientConfig: localConfig({ maxAttempts: 1 }) })
})
afterEach(async () => {
  await store.close()
  await dropTable(tableName)
})

/** `n` bytes, different for each `seed`. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 4096) out[i] = (seed + i / 4096) & 0xff
  out.fill(seed & 0xff, 1, Math.min(n, 4096))
  return out
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(Buffer.from(b))
}

/** The sort keys of a session's progress items (manifests and chunks). */
async function progressKeys(sessionId: string): Promise<string[]> {
  const client = rawClient()
  try {
    const keys: string[] = []
    let start: Record<string, never> | undefined
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': { S: sessionId }, ':p': { S: 'progress#' } },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      keys.push(...(out.Items ?? []).map((it) => it.sk?.S as string))
      start = out.LastEvaluatedKey as typeof start
    } while (start)
    return keys
  } finally {
    client.destroy()
  }
}

async function session(): Promise<string> {
  const head = makeHead()
  await store.create(head)
  await store.load(head.sessionId)
  return head.sessionId
}

describe('trial progress on DynamoDB', () => {
  test('up to 350 KB: one conditional PutItem per save, no chunk items; larger: 350 KB chunks, and the old ones go once superseded', async () => {
    const id = await session()
    const recorder = recordRequests(store.client)
    await store.saveTrialProgress(id, 0, 1, bytes(100 * 1024, 1))
    expect(recorder.commands()).toEqual(['PutItemCommand'])
    expect(await progressKeys(id)).toHaveLength(1)

    recorder.requests.length = 0
    const big = bytes(1024 * 1024, 2)
    await store.saveTrialProgress(id, 0, 1, big)
    // Read the manifest's token, write 3 chunks (one batch), put the manifest.
    expect(recorder.commands()).toEqual(['GetItemCommand', 'BatchWriteItemCommand', 'PutItemCommand'])
    expect(await progressKeys(id)).toHaveLength(1 + 3)
    const bigger = bytes(2 * 1024 * 1024, 3)
    await store.saveTrialProgress(id, 0, 2, bigger)
    await store.close() // waits for the superseded chunks' deletion
    store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    expect(await progressKeys(id)).toHaveLength(1 + 6)
    const loaded = await store.loadTrialProgress(id, 0)
    expect(loaded?.token).toBe(2)
    expect(same(loaded?.bytes, bigger)).toBe(true)
    await store.saveTrialProgress(id, 0, 2, bytes(10, 4))
    await store.close()
    store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    expect(await progressKeys(id)).toHaveLength(1)
    recorder.remove()
  })

  test('a save cut off after its chunks, before its manifest: the previous save still loads whole; the chunks left go with deleteTrialProgress', async () => {
    const id = await session()
    const first = bytes(800 * 1024, 5)
    await store.saveTrialProgress(id, 1, 3, first)
    const fault = injectFault(store.client, {
      when: 'before',
      match: (r) => r.command === 'PutItemCommand',
      error: networkError,
      times: 1,
    })
    await expect(store.saveTrialProgress(id, 1, 3, bytes(900 * 1024, 6))).rejects.toThrow()
    fault.remove()
    expect(fault.hits).toBe(1)
    const loaded = await store.loadTrialProgress(id, 1)
    expect(loaded?.token).toBe(3)
    expect(same(loaded?.bytes, first)).toBe(true)
    expect((await progressKeys(id)).length).toBe(1 + 3 + 3)
    await store.deleteTrialProgress(id, 1)
    expect(await progressKeys(id)).toEqual([])
    expect(await store.loadTrialProgress(id, 1)).toBeNull()
  })

  test('a lower token: refused before any chunk is written (large) or by the manifest condition (small); nothing changes', async () => {
    const id = await session()
    const kept = bytes(500 * 1024, 7)
    await store.saveTrialProgress(id, 2, 5, kept)
    const before = await progressKeys(id)
    const recorder = recordRequests(store.client)
    await expect(store.saveTrialProgress(id, 2, 4, bytes(2 * 1024 * 1024, 8))).rejects.toMatchObject({ code: 'LEASE_LOST' })
    expect(recorder.commands()).toEqual(['GetItemCommand'])
    await expect(store.saveTrialProgress(id, 2, 4, bytes(10, 9))).rejects.toMatchObject({ code: 'LEASE_LOST' })
    recorder.remove()
    expect(await progressKeys(id)).toEqual(before)
    expect(same((await store.loadTrialProgress(id, 2))?.bytes, kept)).toBe(true)
  })

  test('a damaged chunk → CHECKPOINT_CORRUPT; a missing chunk → CHECKPOINT_CORRUPT naming it', async () => {
    const id = await session()
    await store.saveTrialProgress(id, 0, 1, bytes(1024 * 1024, 10))
    await corruptTrialProgress(tableName, id, 0)
    await expect(store.loadTrialProgress(id, 0)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: /checksum/ })

    await store.saveTrialProgress(id, 0, 1, bytes(1024 * 1024, 11))
    await store.close()
    store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    const chunk = (await progressKeys(id)).find((k) => k.endsWith('#00001'))
    expect(chunk).toBeDefined()
    const client = rawClient()
    try {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: id }, sk: { S: chunk as string } } }))
    } finally {
      client.destroy()
    }
    await expect(store.loadTrialProgress(id, 0)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: /chunk 1 of 3 is missing/ })
  })
})
