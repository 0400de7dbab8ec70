import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { makeHead, makeTrial, nextHead, rejectedWith, settle } from '@cairn/testkit'
import type { CheckpointHead, TrialRecord } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { createDynamoDbStore, DynamoDbRequestError, type DynamoDbStore } from '../src/index.js'
import { conditionalFailure, injectFault, isHeadCommit, isRenewal, isTrialWrite, networkError } from './support/faults.js'
import { useTable } from './support/table-fixture.js'
import { localConfig, rawClient } from './support/tables.js'

const table = useTable('faults')
const open = table.open

async function commitTrial(store: DynamoDbStore, head: CheckpointHead, trial: TrialRecord, token: number): Promise<CheckpointHead> {
  const next = nextHead(head, [trial])
  const { revision } = await store.commit(head.sessionId, {
    expectedRevision: head.revision,
    fencingToken: token,
    head: next,
    trials: [trial],
  })
  return { ...next, revision }
}

/** The trial item of `idx` as stored (incarnation 1: every session here is created once), if any. */
async function rawTrial(sessionId: string, idx: number, inc = 1): Promise<Record<string, unknown> | undefined> {
  const client = rawClient()
  const sk = `trial#${String(inc).padStart(10, '0')}#${String(idx).padStart(10, '0')}`
  try {
    const out = await client.send(
      new GetItemCommand({ TableName: table.tableName(), Key: { pk: { S: sessionId }, sk: { S: sk } }, ConsistentRead: true }),
    )
    return out.Item
  } finally {
    client.destroy()
  }
}

describe('lease renewal: a refused write is re-read before the lease is declared lost', () => {
  test('the renewal landed but its answer was lost (a ConditionalCheckFailed came back): the lease is still ours', async () => {
    const store = open()
    const head = makeHead()
    await store.create(head)
    const lease = head.lease!
    const fault = injectFault(store.client, { when: 'after', match: isRenewal, error: conditionalFailure, times: 1 })
    const renewed = await store.renewLease(head.sessionId, lease, 120_000)
    expect(fault.hits).toBe(1)
    expect(renewed).toMatchObject({ owner: lease.owner, fencingToken: lease.fencingToken })
    expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt)
    expect((await store.load(head.sessionId)).lease).toEqual(renewed)
  })

  test('the renewal was refused without landing while the lease is still ours: it is retried', async () => {
    const store = open()
    const head = makeHead()
    await store.create(head)
    const fault = injectFault(store.client, { when: 'before', match: isRenewal, error: conditionalFailure, times: 1 })
    const renewed = await store.renewLease(head.sessionId, head.lease!, 120_000)
    expect(fault.hits).toBe(1)
    expect(renewed.expiresAt).toBeGreaterThan(head.lease!.expiresAt)
    expect((await store.load(head.sessionId)).lease).toEqual(renewed)
  })

  test('a renewal after another owner took the lease → LeaseLostError, their lease untouched', async () => {
    const store = open()
    const head = makeHead()
    await store.create(head)
    await store.releaseLease(head.sessionId, head.lease!)
    const theirs = await store.acquireLease(head.sessionId, 'someone-else', 60_000)
    expect(await settle(store.renewLease(head.sessionId, head.lease!, 60_000))).toMatchObject(rejectedWith('LEASE_LOST'))
    expect((await store.load(head.sessionId)).lease).toEqual(theirs)
  })
})

describe('commits under faults', () => {
  test('the head update landed but its answer was lost: the SDK retries, the store recognises its own write', async () => {
    const store = open()
    const created = makeHead()
    await store.create(created)
    const fault = injectFault(store.client, { when: 'after', match: isHeadCommit, error: networkError, times: 1 })
    const head = await commitTrial(store, created, makeTrial(0), 1)
    expect(fault.hits).toBe(1)
    expect(head.revision).toBe(1)
    const loaded = await store.load(created.sessionId)
    expect(loaded.revision).toBe(1)
    expect(loaded.progress.attempts).toBe(1)
    expect(await store.readTrials(created.sessionId)).toEqual([makeTrial(0)])
    // And the next commit continues normally.
    await commitTrial(store, head, makeTrial(1), 1)
    expect((await store.readTrials(created.sessionId)).map((t) => t.trialIdx)).toEqual([0, 1])
  })

  test('a trial-item write whose answer was lost is retried idempotently', async () => {
    const store = open({ inlineTrials: 1 })
    const created = makeHead()
    await store.create(created)
    const fault = injectFault(store.client, { when: 'after', match: isTrialWrite, error: networkError, times: 1 })
    await commitTrial(store, created, makeTrial(0), 1)
    await store.flush() // the items are written after the commit resolved (the head carries the trial)
    expect(fault.hits).toBe(1)
    expect(await store.readTrials(created.sessionId)).toEqual([makeTrial(0)])
    expect(await rawTrial(created.sessionId, 0)).toBeDefined()
  })

  test('a trial-item write that fails after a landed head write: the head carries the record until a later write confirms its item', async () => {
    const store = open({ inlineTrials: 1 })
    const created = makeHead()
    const id = created.sessionId
    await store.create(created)
    const fault = injectFault(store.client, { when: 'before', match: isTrialWrite, error: () => new Error('simulated failure'), times: 1 })
    let head = await commitTrial(store, created, makeTrial(0), 1)
    await store.flush()
    expect(fault.hits).toBe(1)
    expect(await rawTrial(id, 0)).toBeUndefined() // no item …
    const reader = open()
    expect(await reader.readTrials(id)).toEqual([makeTrial(0)]) // … but the trial is committed (inline on the head)
    head = await commitTrial(store, head, makeTrial(1), 1)
    await store.flush()
    expect((await rawTrial(id, 0))?.cid).toBeDefined() // written out with the next commit's record
    head = await commitTrial(store, head, makeTrial(2), 1)
    await store.flush()
    expect(await reader.readTrials(id)).toEqual([makeTrial(0), makeTrial(1), makeTrial(2)])
    expect(await reader.readTrials(id, { from: 1, limit: 1 })).toEqual([makeTrial(1)])
    // A fresh instance (nothing cached) continues and writes out what the head still carries.
    const next = open({ inlineTrials: 1 })
    const loaded = await next.load(id)
    await commitTrial(next, loaded, makeTrial(3), 1)
    await next.flush()
    expect(await reader.readTrials(id)).toEqual([0, 1, 2, 3].map((i) => makeTrial(i)))
    for (const i of [0, 1, 2, 3]) expect(await rawTrial(id, i)).toBeDefined()
  })

  test('network errors that outlast the retries surface as DynamoDbRequestError (TIMEOUT); no partial commit is visible', async () => {
    const store = open({ maxAttempts: 3 })
    const created = makeHead()
    await store.create(created)
    const head = await commitTrial(store, created, makeTrial(0), 1)
    const fault = injectFault(store.client, { when: 'before', match: isHeadCommit, error: networkError })
    const failed = store.commit(created.sessionId, {
      expectedRevision: 1,
      fencingToken: 1,
      head: nextHead(head, [makeTrial(1)]),
      trials: [makeTrial(1)],
    })
    const err = await failed.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DynamoDbRequestError)
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, operation: 'PutItem', attempts: 3 })
    expect(fault.hits).toBe(3)
    fault.remove()
    // Nothing of trial 1 is visible: the head is as before and the log has one trial.
    const reader = open()
    expect((await reader.load(created.sessionId)).revision).toBe(1)
    expect(await reader.readTrials(created.sessionId)).toEqual([makeTrial(0)])
    // The same commit, retried once the network is back, lands exactly once.
    await commitTrial(store, head, makeTrial(1, { candidate: { retried: true } }), 1)
    expect(await reader.readTrials(created.sessionId)).toEqual([makeTrial(0), makeTrial(1, { candidate: { retried: true } })])
  })

  test('an unreachable endpoint gives a retryable DynamoDbRequestError, not a hang', async () => {
    const store = createDynamoDbStore({
      tableName: table.tableName(),
      clientConfig: { ...localConfig({ maxAttempts: 2 }), endpoint: 'http://127.0.0.1:9' },
    })
    const err = await store.load('some-session').catch((e: unknown) => e)
    await store.close()
    expect(err).toBeInstanceOf(DynamoDbRequestError)
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, operation: 'DescribeTable' })
  })

  test('a crash right before the head write leaves nothing of the commit: no trial item, the head as before', async () => {
    const crashing = open({ inlineTrials: 1 })
    const created = makeHead()
    const id = created.sessionId
    await crashing.create(created)
    let head = created
    for (let i = 0; i < 2; i++) head = await commitTrial(crashing, head, makeTrial(i), 1)
    await crashing.flush()
    injectFault(crashing.client, { when: 'before', match: isHeadCommit, error: () => new Error('simulated crash') })
    await expect(commitTrial(crashing, head, makeTrial(2), 1)).rejects.toThrow('simulated crash')
    await crashing.flush()
    expect(await rawTrial(id, 2)).toBeUndefined()
    const next = open()
    expect((await next.load(id)).progress.attempts).toBe(2)
    expect((await next.readTrials(id)).map((t) => t.trialIdx)).toEqual([0, 1])
  })

  test('a crash between the trial write and the head update (a trial too large to carry inline): the orphan trial is ignored, then overwritten — never double-counted', async () => {
    const crashing = open()
    const created = makeHead()
    const id = created.sessionId
    await crashing.create(created)
    let head = created
    for (let i = 0; i < 3; i++) head = await commitTrial(crashing, head, makeTrial(i), 1)
    // The process "dies" right before its head update reaches DynamoDB.
    injectFault(crashing.client, { when: 'before', match: isHeadCommit, error: () => new Error('simulated crash') })
    // Over 32 KiB, so written as a trial item ahead of the head write.
    const doomed = makeTrial(3, { candidate: { from: 'the crashed process', notes: 'x'.repeat(40_000) } })
    await expect(commitTrial(crashing, head, doomed, 1)).rejects.toThrow()
    expect(await rawTrial(id, 3)).toBeDefined() // the orphan is there …

    // … but a new process sees the session exactly as of the last commit.
    const next = open()
    const loaded = await next.load(id)
    expect(loaded.revision).toBe(3)
    expect(loaded.progress.attempts).toBe(3)
    expect((await next.readTrials(id)).map((t) => t.trialIdx)).toEqual([0, 1, 2])
    expect(await next.readTrials(id, { from: 3 })).toEqual([])
    // It takes the session over (the old lease expired) and commits trial 3 afresh.
    await next.releaseLease(id, loaded.lease!)
    const lease = await next.acquireLease(id, 'successor', 60_000)
    const redo = makeTrial(3, { candidate: { from: 'the successor' } })
    await commitTrial(next, { ...loaded, lease }, redo, lease.fencingToken)
    const trials = await next.readTrials(id)
    expect(trials.map((t) => t.trialIdx)).toEqual([0, 1, 2, 3])
    expect(trials[3]).toEqual(redo)
    expect((await next.load(id)).progress.attempts).toBe(4)
  })

  test('a stale writer (old fencing token) that loaded before the takeover cannot touch committed trials', async () => {
    const stale = open({ inlineTrials: 1 })
    const created = makeHead()
    const id = created.sessionId
    await stale.create(created)
    let head = await commitTrial(stale, created, makeTrial(0), 1)
    // Someone else takes over and commits trial 1.
    const successor = open({ inlineTrials: 1 })
    await successor.releaseLease(id, created.lease!)
    const lease = await successor.acquireLease(id, 'successor', 60_000)
    const loaded = await successor.load(id)
    await commitTrial(successor, { ...loaded, lease }, makeTrial(1, { candidate: { by: 'successor' } }), lease.fencingToken)
    // The stale writer still believes it is at revision 1 and tries trial 1, then trial 2.
    expect(await settle(commitTrial(stale, head, makeTrial(1, { candidate: { by: 'stale' } }), 1))).toMatchObject({ outcome: 'rejected' })
    head = { ...nextHead(head, [makeTrial(1)]), revision: 2 }
    expect(await settle(commitTrial(stale, head, makeTrial(2, { candidate: { by: 'stale' } }), 1))).toMatchObject(
      rejectedWith('LEASE_LOST'),
    )
    await Promise.all([stale.flush(), successor.flush()])
    const trials = await successor.readTrials(id)
    expect(trials).toEqual([makeTrial(0), makeTrial(1, { candidate: { by: 'successor' } })])
    expect(await rawTrial(id, 2)).toBeUndefined() // it wrote nothing
    expect((await rawTrial(id, 1))?.token).toEqual({ N: String(lease.fencingToken) }) // the successor's item
  })

  test('a newer lease over a stale head (loaded before the lease was taken) cannot overwrite a committed trial', async () => {
    const a = open({ inlineTrials: 1 })
    const created = makeHead()
    const id = created.sessionId
    await a.create(created)
    const head = await commitTrial(a, created, makeTrial(0), 1)
    // B reads the session first …
    const b = open({ inlineTrials: 1 })
    const seenByB = await b.load(id)
    // … A commits trial 1 and lets go …
    await commitTrial(a, head, makeTrial(1, { candidate: { by: 'a' } }), 1)
    await a.releaseLease(id, created.lease!)
    // … and B takes the lease and commits "trial 1" on top of what it read.
    const lease = await b.acquireLease(id, 'b', 60_000)
    expect(lease.fencingToken).toBe(2)
    const stale = commitTrial(b, { ...seenByB, lease }, makeTrial(1, { candidate: { by: 'b' } }), lease.fencingToken)
    expect(await settle(stale)).toMatchObject(rejectedWith('REVISION_CONFLICT'))
    await Promise.all([a.flush(), b.flush()])
    expect(await b.readTrials(id)).toEqual([makeTrial(0), makeTrial(1, { candidate: { by: 'a' } })])
    expect((await rawTrial(id, 1))?.writer).toBeDefined()
    expect((await rawTrial(id, 1))?.writer).toEqual((await rawTrial(id, 0))?.writer) // still A's item
  })
})
