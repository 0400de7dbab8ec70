import diagnostics from 'node:diagnostics_channel'
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { CHANNEL_NAMES } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '@cairn/testkit'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createDynamoDbStore, type DynamoDbStore } from '../src/index.js'
import { corruptHead, corruptWarmStartEntry, localConfig, newStore, rawClient } from './support/tables.js'

let store: DynamoDbStore
let cleanup: () => Promise<void>
const seen: unknown[] = []
const listener = (message: unknown): void => void seen.push(message)

beforeEach(async () => {
  ;({ store, cleanup } = await newStore())
  seen.length = 0
  diagnostics.subscribe(CHANNEL_NAMES.storeCorrupt, listener)
})
afterEach(async () => {
  diagnostics.unsubscribe(CHANNEL_NAMES.storeCorrupt, listener)
  await store.close()
  await cleanup()
})

test('a corrupt warm-start entry is deleted and reported on cairn:store:corrupt', async () => {
  await store.saveOverwrite('k', 'good', { kind: 'checkpoint', objective: 2, iteration: 1, payload: 'good' })
  await store.saveOverwrite('k', 'bad', { kind: 'final', objective: 1, iteration: 1, payload: 'bad' })
  await corruptWarmStartEntry(store.tableName, 'k', 'bad')
  expect(await store.lookup('k')).toMatchObject({ runId: 'good' })
  expect(seen).toEqual([
    expect.objectContaining({ key: 'k', runId: 'bad', error: expect.objectContaining({ code: 'CHECKPOINT_CORRUPT' }) }),
  ])
  // It is gone: eviction sees one entry only.
  expect((await store.evict({ maxBytes: 0 })).evicted).toBe(1)
})

test('a corrupt head is listed as corrupt and reported; loading it throws CheckpointCorruptError; others are untouched', async () => {
  const good = makeHead({ sessionId: 'fine' })
  await store.create(good)
  await store.create(makeHead({ sessionId: 'broken' }))
  await corruptHead(store.tableName, 'broken')
  const page = await store.list()
  expect(page.items.find((l) => l.sessionId === 'broken')).toMatchObject({
    status: 'corrupt',
    problem: expect.stringContaining('listing of session "broken" is corrupt'),
  })
  expect(seen).toEqual([expect.objectContaining({ sessionId: 'broken' })])
  await expect(store.load('broken')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
  await expect(store.readTrials('broken')).resolves.toEqual([])
  expect(await store.load('fine')).toEqual(good)
})

test('a damaged byte in the trial records a head carries inline → CheckpointCorruptError for that session, never a wrong trial', async () => {
  const head = makeHead()
  const id = head.sessionId
  await store.create(head)
  const trials = [makeTrial(0), makeTrial(1)]
  await store.commit(id, { expectedRevision: 0, fencingToken: 1, head: nextHead(head, trials), trials })
  const client = rawClient()
  try {
    const key = { pk: { S: id }, sk: { S: 'head' } }
    const item = (await client.send(new GetItemCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }))).Item!
    const inline = Uint8Array.from(item.inline!.B!)
    inline[inline.length - 3]! ^= 0xff
    await client.send(new PutItemCommand({ TableName: store.tableName, Item: { ...item, inline: { B: inline } } }))
  } finally {
    client.destroy()
  }
  const fresh = createDynamoDbStore({ tableName: store.tableName, clientConfig: localConfig() })
  await expect(fresh.readTrials(id)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining('checksum') })
  await expect(fresh.load(id)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
  await fresh.close()
})
