import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb'
import { makeHead, makeTrial, nextHead, TEST_OWNER } from '@cairn/testkit'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { DynamoDbStore } from '../src/index.js'
import { newStore, rawClient, setHeadAttribute } from './support/tables.js'

let store: DynamoDbStore
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ store, cleanup } = await newStore())
})
afterEach(async () => {
  await store.close()
  await cleanup()
})

const GARBAGE = new TextEncoder().encode('bit rot')

test('a head whose encoded body is damaged: salvaged from the item attributes, replaced, the damaged item kept aside until delete', async () => {
  const head = makeHead({ sessionId: 'rotten', name: 'n', job: 'j' })
  await store.create(head)
  // 20 trials written as items first (over the inline limit), then 3 carried inline on the head.
  let current = head
  for (const [from, n] of [
    [0, 20],
    [20, 3],
  ] as const) {
    const trials = Array.from({ length: n }, (_, k) => makeTrial(from + k))
    await store.commit('rotten', { expectedRevision: current.revision, fencingToken: 1, head: nextHead(current, trials), trials })
    current = await store.load('rotten')
  }
  const committed = await store.readTrials('rotten')
  await setHeadAttribute(store.tableName, 'rotten', 'body', { B: GARBAGE })
  const client = rawClient()
  try {
    await expect(store.load('rotten')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
    const lease = await store.acquireLease('rotten', TEST_OWNER, 60_000)
    const found = await store.salvage('rotten')
    expect(found).toMatchObject({ revision: 2, listing: { name: 'n', job: 'j', status: 'running', completed: 23 } })
    expect(found?.trials).toEqual(committed)

    const rebuilt = nextHead(makeHead({ sessionId: 'rotten', name: 'rebuilt' }), committed)
    const result = await store.replaceDamagedHead('rotten', { damage: found!.damage, fencingToken: lease.fencingToken, head: rebuilt })
    expect(result.revision).toBe(3)
    const sk = /sk "([^"]+)"/.exec(result.keptAs)?.[1] as string
    const kept = await client.send(new GetItemCommand({ TableName: store.tableName, Key: { pk: { S: 'rotten' }, sk: { S: sk } } }))
    expect(kept.Item?.body?.B).toEqual(GARBAGE)
    expect((await store.list()).items.map((l) => [l.sessionId, l.status])).toEqual([['rotten', 'running']])
    expect(await store.readTrials('rotten')).toEqual(committed)
    const loaded = await store.load('rotten')
    const next = [makeTrial(23)]
    await store.commit('rotten', { expectedRevision: 3, fencingToken: lease.fencingToken, head: nextHead(loaded, next), trials: next })
    expect(await store.readTrials('rotten')).toHaveLength(24)

    await store.delete('rotten')
    const left = await client.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'rotten' } },
        ConsistentRead: true,
      }),
    )
    expect(left.Items?.map((i) => i.sk?.S)).toEqual(['incarnation'])
  } finally {
    client.destroy()
  }
})

test('a head whose item attributes disagree with an intact encoded head is not vouched for: no replacement', async () => {
  const head = makeHead({ sessionId: 'odd' })
  await store.create(head)
  const trials = [makeTrial(0), makeTrial(1)]
  await store.commit('odd', { expectedRevision: 0, fencingToken: 1, head: nextHead(head, trials), trials })
  await setHeadAttribute(store.tableName, 'odd', 'attempts', { N: '5' })
  await expect(store.load('odd')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
  const found = await store.salvage('odd')
  expect(found?.trials).toBeNull()
  expect(found?.trialsProblem).toMatch(/attributes disagree/)
  const lease = await store.acquireLease('odd', TEST_OWNER, 60_000)
  await expect(
    store.replaceDamagedHead('odd', { damage: found!.damage, fencingToken: lease.fencingToken, head: nextHead(head, trials) }),
  ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  await expect(store.load('odd')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
})
