import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { makeHead, makeTrial, nextHead } from '@cairn/testkit'
import type { CheckpointHead, TrialRecord } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { createDynamoDbStore, createTable, DEFAULT_INLINE_TRIALS, type DynamoDbStore } from '../src/index.js'
import { injectFault, isHeadCommit, isTrialWrite, type Request } from './support/faults.js'
import { useTable } from './support/table-fixture.js'
import { localConfig, rawClient } from './support/tables.js'

const table = useTable('protocol')
const open = (inlineTrials?: number): DynamoDbStore => table.open(inlineTrials !== undefined ? { inlineTrials } : {})

async function commitTrial(store: DynamoDbStore, head: CheckpointHead, trial: TrialRecord, overrides: Partial<CheckpointHead> = {}) {
  const next = nextHead(head, [trial], overrides)
  const result = await store.commit(head.sessionId, {
    expectedRevision: head.revision,
    fencingToken: head.lease!.fencingToken,
    head: next,
    trials: [trial],
  })
  return { head: { ...next, revision: result.revision }, control: result.control }
}

/** The sort keys of the trial items stored under `sessionId`. */
async function trialKeys(sessionId: string): Promise<string[]> {
  const client = rawClient()
  try {
    const out = await client.send(
      new QueryCommand({
        TableName: table.tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :t)',
        ExpressionAttributeValues: { ':pk': { S: sessionId }, ':t': { S: 'trial#' } },
        ConsistentRead: true,
      }),
    )
    return (out.Items ?? []).map((it) => it.sk?.S ?? '')
  } finally {
    client.destroy()
  }
}

/** Counts the requests `store` sends that match. */
function countRequests(store: DynamoDbStore, match: (r: Request) => boolean): { count: number } {
  const counter = { count: 0 }
  injectFault(store.client, { when: 'before', match: (r) => (match(r) && void counter.count++, false), error: () => new Error('never') })
  return counter
}

const sk = (inc: number, idx: number) => `trial#${String(inc).padStart(10, '0')}#${String(idx).padStart(10, '0')}`

describe('one write per commit; trial items written out in batches', () => {
  test(`the head carries up to inlineTrials records, then one batch writes them out (default ${DEFAULT_INLINE_TRIALS})`, async () => {
    const store = open(4)
    const heads = countRequests(store, isHeadCommit)
    const writes = countRequests(store, isTrialWrite)
    const other = countRequests(store, (r) => !isHeadCommit(r) && !isTrialWrite(r))
    let head = makeHead()
    const id = head.sessionId
    await store.create(head)
    const before = other.count
    for (let i = 0; i < 3; i++) head = (await commitTrial(store, head, makeTrial(i))).head
    await store.flush()
    expect(await trialKeys(id)).toEqual([]) // all three are on the head
    expect(await open().readTrials(id)).toEqual([0, 1, 2].map((i) => makeTrial(i)))
    head = (await commitTrial(store, head, makeTrial(3))).head
    await store.flush()
    expect(await trialKeys(id)).toEqual([0, 1, 2, 3].map((i) => sk(1, i)))
    expect(writes.count).toBe(1) // one BatchWriteItem for the four
    for (let i = 4; i < 8; i++) head = (await commitTrial(store, head, makeTrial(i))).head
    await store.flush()
    expect(heads.count).toBe(8)
    expect(writes.count).toBe(2)
    expect(other.count - before).toBe(0) // no read and nothing else per commit
    expect(await open().readTrials(id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => makeTrial(i)))
  })

  test('a session that stops running has every record written out', async () => {
    const store = open(8)
    let head = makeHead()
    const id = head.sessionId
    await store.create(head)
    for (let i = 0; i < 2; i++) head = (await commitTrial(store, head, makeTrial(i))).head
    await commitTrial(store, head, makeTrial(2), { status: 'completed' })
    await store.flush()
    expect(await trialKeys(id)).toEqual([0, 1, 2].map((i) => sk(1, i)))
    expect((await open().load(id)).status).toBe('completed')
  })

  test('inlineTrials must be an integer from 1 to 16', () => {
    for (const bad of [0, 17, 1.5, Number.NaN, '4']) {
      expect(() => createDynamoDbStore({ tableName: table.tableName(), clientConfig: localConfig(), inlineTrials: bad as number })).toThrow(
        /inlineTrials|1 to 16/,
      )
    }
  })

  test('createDynamoDbStore and createTable refuse unknown options, naming the nearest one', async () => {
    expect(() => createDynamoDbStore({ tableName: table.tableName(), clientConfig: localConfig(), inlineTrial: 4 } as never)).toThrow(
      '[@cairn/store-dynamodb] createDynamoDbStore: unknown option inlineTrial (did you mean inlineTrials?)',
    )
    expect(() => createDynamoDbStore({ tableName: table.tableName(), clientConfig: 'us-east-1' as never })).toThrow(/clientConfig/)
    await expect(createTable({ tableName: 'never-created', clientConfig: localConfig(), billing: 'PROVISIONED' } as never)).rejects.toThrow(
      '[@cairn/store-dynamodb] createTable: unknown option billing (did you mean billingMode?)',
    )
    await expect(
      createTable({
        tableName: 'never-created',
        clientConfig: localConfig(),
        provisioned: { readCapacity: 1, writeCapacityUnits: 1 },
      } as never),
    ).rejects.toThrow(/unknown option provisioned\.readCapacity \(did you mean readCapacityUnits\?\)/)
    await expect(createTable({ tableName: 'never-created', clientConfig: localConfig(), maxWaitSeconds: 2 ** 31 })).rejects.toThrow(
      /maxWaitSeconds/,
    )
  })
})

describe('the head write carries over what other operations changed', () => {
  test('a renewal by another instance between commits: the next commit lands and keeps the renewed expiry', async () => {
    const driver = open()
    const heartbeat = open()
    let head = makeHead()
    const id = head.sessionId
    await driver.create(head)
    head = (await commitTrial(driver, head, makeTrial(0))).head
    const renewed = await heartbeat.renewLease(id, head.lease!, 600_000)
    expect(renewed.expiresAt).toBeGreaterThan(head.lease!.expiresAt)
    head = (await commitTrial(driver, head, makeTrial(1))).head
    const loaded = await open().load(id)
    expect(loaded.revision).toBe(2)
    expect(loaded.lease).toEqual(renewed)
    expect(await open().readTrials(id)).toEqual([makeTrial(0), makeTrial(1)])
  })

  test('renewals racing commits never lose a commit nor the newest expiry', async () => {
    const driver = open()
    const heartbeat = open()
    let head = makeHead()
    const id = head.sessionId
    await driver.create(head)
    let last = head.lease!
    for (let i = 0; i < 10; i++) {
      const [committed, renewed] = await Promise.all([
        commitTrial(driver, head, makeTrial(i)),
        heartbeat.renewLease(id, head.lease!, 600_000 + i),
      ])
      head = committed.head
      last = renewed
    }
    const loaded = await open().load(id)
    expect(loaded.progress.attempts).toBe(10)
    expect(loaded.lease).toEqual(last)
  })

  test("a store's own renewals wait for its commit in flight: renewals sent after each refused round never exhaust the commit's rounds", async () => {
    const driver = open()
    let head = makeHead()
    const id = head.sessionId
    await driver.create(head)
    // What a slow table does to a commit racing its own session's lease renewal: each time a
    // head write is refused, the driving process renews the lease, and the next head write is
    // held until that renewal was answered (at most 300 ms). A renewal that did not wait for
    // the commit would land before every round, and the commit would run out of rounds.
    let renewal: Promise<unknown> = Promise.resolve()
    driver.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = {
          command: String((context as { commandName?: unknown }).commandName),
          input: args.input as Record<string, unknown>,
        }
        if (!isHeadCommit(request)) return next(args)
        await renewal
        const out = await next(args)
        // Below the deserializer: a refusal is still an HTTP 400 here, not yet an exception.
        if ((out.response as { statusCode?: number }).statusCode === 400) {
          const renewed = driver.renewLease(id, head.lease!, 600_000).catch(() => undefined)
          renewal = Promise.race([renewed, new Promise((resolve) => setTimeout(resolve, 300))])
        }
        return out
      },
      { step: 'deserialize', name: 'renew-after-refusals', priority: 'low' },
    )
    const heads = countRequests(driver, isHeadCommit)
    await driver.renewLease(id, head.lease!, 600_000) // so the first commit's first head write is refused too
    for (let i = 0; i < 3; i++) head = (await commitTrial(driver, head, makeTrial(i))).head
    expect(heads.count).toBeLessThanOrEqual(6)
    const loaded = await open().load(id)
    expect(loaded.revision).toBe(3)
    expect(await open().readTrials(id)).toEqual([makeTrial(0), makeTrial(1), makeTrial(2)])
  })

  test('a pause requested through another instance is returned by the next commit and stays on the head', async () => {
    const driver = open()
    let head = makeHead()
    const id = head.sessionId
    await driver.create(head)
    head = (await commitTrial(driver, head, makeTrial(0))).head
    await open().requestControl(id, 'pause')
    const next = await commitTrial(driver, head, makeTrial(1))
    expect(next.control).toBe('pause')
    expect((await commitTrial(driver, next.head, makeTrial(2))).control).toBe('pause')
    await open().requestControl(id, 'cancel')
    expect((await commitTrial(driver, (await open().load(id)) as CheckpointHead, makeTrial(3))).control).toBe('cancel')
  })
})

describe('the stamp', () => {
  test('a head item without a stamp (written by other means) is checked attribute by attribute: the right commit lands, a stale one is refused', async () => {
    const removeStamp = async (id: string): Promise<void> => {
      const client = rawClient()
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table.tableName(),
            Key: { pk: { S: id }, sk: { S: 'head' } },
            UpdateExpression: 'REMOVE stamp',
          }),
        )
      } finally {
        client.destroy()
      }
    }
    const driver = open()
    let head = makeHead()
    const id = head.sessionId
    await driver.create(head)
    head = (await commitTrial(driver, head, makeTrial(0))).head
    await removeStamp(id)
    const stale = open()
    const seenByStale = await stale.load(id) // revision 1, no stamp
    head = (await commitTrial(driver, head, makeTrial(1))).head // refused on the stamp, then lands checked attribute by attribute
    await removeStamp(id)
    await expect(commitTrial(stale, seenByStale, makeTrial(1, { candidate: { by: 'stale' } }))).rejects.toMatchObject({
      code: 'REVISION_CONFLICT',
    })
    head = (await commitTrial(driver, head, makeTrial(2))).head
    expect(head.revision).toBe(3)
    expect(await open().readTrials(id)).toEqual([makeTrial(0), makeTrial(1), makeTrial(2)])
  })
})

describe('incarnations', () => {
  test("a late trial-item write of a deleted session's earlier incarnation never reaches the new session's trials", async () => {
    const store = open(1)
    let head = makeHead()
    const id = head.sessionId
    await store.create(head)
    head = (await commitTrial(store, head, makeTrial(0, { candidate: { life: 1 } }))).head
    await store.flush()
    await store.delete(id)
    let again = makeHead({ sessionId: id })
    await store.create(again)
    again = (await commitTrial(store, again, makeTrial(0, { candidate: { life: 2 } }))).head
    await store.flush()
    // A stale writer of the first incarnation writes out its record of trial 0 only now.
    const client = rawClient()
    try {
      await client.send(
        new PutItemCommand({
          TableName: table.tableName(),
          Item: { pk: { S: id }, sk: { S: sk(1, 0) }, inc: { N: '1' }, body: { B: new Uint8Array([1, 2, 3]) } },
        }),
      )
    } finally {
      client.destroy()
    }
    expect(await trialKeys(id)).toEqual([sk(1, 0), sk(2, 0)])
    expect(await open().readTrials(id)).toEqual([makeTrial(0, { candidate: { life: 2 } })])
    // And a later delete clears it too.
    await store.delete(id)
    expect(await trialKeys(id)).toEqual([])
  })
})
