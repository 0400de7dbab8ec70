import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb'
import type { CheckpointHead } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createDynamoDbStore, type DynamoDbStore } from '../src/index.js'
import { corruptHead, dropTable, localConfig, newTable, rawClient } from './support/tables.js'

let tableName: string
let store: DynamoDbStore

beforeEach(async () => {
  tableName = await newTable('chunks')
  store = createDynamoDbStore({ tableName, clientConfig: localConfig() })
})
afterEach(async () => {
  await store.close()
  await dropTable(tableName)
})

/** Deterministic incompressible-looking bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Compares heads, the (large) optimizer state bytewise: vitest's deep equality is slow on megabyte arrays. */
function expectSameHead(got: CheckpointHead, want: CheckpointHead): void {
  expect(Buffer.from(got.optimizerState).equals(Buffer.from(want.optimizerState))).toBe(true)
  expect({ ...got, optimizerState: null }).toEqual({ ...want, optimizerState: null })
}

/** Sort keys of the chunk items under a partition (following pages: a page stops at 1 MB). */
async function chunkKeys(pk: string): Promise<string[]> {
  const client = rawClient()
  const keys: string[] = []
  try {
    let start: Record<string, AttributeValue> | undefined
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':c': { S: 'chunk#' } },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      keys.push(...(out.Items ?? []).map((i) => i.sk?.S ?? ''))
      start = out.LastEvaluatedKey
    } while (start)
    return keys
  } finally {
    client.destroy()
  }
}

describe('values over the 400 KB item limit are chunked', () => {
  test('a 1 MB optimizer state round-trips through create, commit and load; superseded chunks are removed', async () => {
    const big = bytes(1_000_000, 7)
    const created = makeHead({ optimizerState: big })
    const id = created.sessionId
    await store.create(created)
    expectSameHead(await store.load(id), created)
    const first = await chunkKeys(id)
    // 1,000,000 bytes of state are 1,333,336 base64 characters in the head: 4 chunks of 350 KiB.
    expect(first.length).toBe(4)

    const bigger = bytes(1_300_000, 9)
    const next = nextHead(created, [makeTrial(0)], { optimizerState: bigger })
    await store.commit(id, { expectedRevision: 0, fencingToken: 1, head: next, trials: [makeTrial(0)] })
    const loaded = await store.load(id)
    expectSameHead(loaded, { ...next, revision: 1, lease: created.lease })
    const second = await chunkKeys(id)
    expect(second.length).toBeGreaterThan(3)
    expect(second.filter((k) => first.includes(k))).toEqual([]) // the old chunk set is gone

    // Back under the limit: inline again, and no chunk left behind.
    const small = nextHead(loaded, [makeTrial(1)], { optimizerState: new Uint8Array([1, 2, 3]) })
    await store.commit(id, { expectedRevision: 1, fencingToken: 1, head: small, trials: [makeTrial(1)] })
    expect((await store.load(id)).optimizerState).toEqual(new Uint8Array([1, 2, 3]))
    expect(await chunkKeys(id)).toEqual([])
    // A fresh instance (no cache) reads the same thing.
    const other = createDynamoDbStore({ tableName, clientConfig: localConfig() })
    expectSameHead(await other.load(id), await store.load(id))
    await other.close()
  })

  test('a trial record over 400 KB round-trips', async () => {
    const created = makeHead()
    await store.create(created)
    const huge = makeTrial(0, { candidate: { blob: Buffer.from(bytes(600_000, 3)).toString('base64') } })
    await store.commit(created.sessionId, { expectedRevision: 0, fencingToken: 1, head: nextHead(created, [huge]), trials: [huge] })
    expect(await store.readTrials(created.sessionId)).toEqual([huge])
    await store.delete(created.sessionId)
    expect(await chunkKeys(created.sessionId)).toEqual([])
  })

  test('a warm-start payload over 400 KB round-trips, and saving over it removes its chunks', async () => {
    const payload = { weights: Buffer.from(bytes(700_000, 5)).toString('base64') }
    await store.saveOverwrite('big-key', 'run-1', { kind: 'final', objective: 1, iteration: 3, payload })
    expect(await store.lookup('big-key')).toMatchObject({ runId: 'run-1', payload })
    expect((await chunkKeys('warm#big-key')).length).toBeGreaterThan(0)
    await store.saveOverwrite('big-key', 'run-1', { kind: 'final', objective: 1, iteration: 4, payload: 'small' })
    expect(await store.lookup('big-key')).toMatchObject({ iteration: 4, payload: 'small' })
    expect(await chunkKeys('warm#big-key')).toEqual([])
    expect((await store.evict({ maxBytes: 0 })).evicted).toBe(1)
  })

  test('a corrupt chunked head fails for that session only', async () => {
    const bad = makeHead({ sessionId: 'bad', optimizerState: bytes(900_000, 1) })
    const good = makeHead({ sessionId: 'good', optimizerState: bytes(900_000, 2) })
    await store.create(bad)
    await store.create(good)
    await corruptHead(tableName, 'bad')
    await expect(store.load('bad')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
    expectSameHead(await store.load('good'), good)
    expect((await store.list()).items.map((l) => [l.sessionId, l.status])).toEqual([
      ['bad', 'corrupt'],
      ['good', 'running'],
    ])
  })
})
