import { type AttributeValue, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import type { TrialClaim, TrialResultReport } from '@cairn/core'
import { makeHead, rejectedWith, settle } from '@cairn/testkit'
import { describe, expect, test } from 'vitest'
import type { DynamoDbStore } from '../src/index.js'
import { injectFault, networkError, type Request } from './support/faults.js'
import { recordRequests } from './support/requests.js'
import { useTable } from './support/table-fixture.js'
import { rawClient } from './support/tables.js'

const table = useTable('slots')
const open = table.open

const TTL = 60_000
const report = (x: number, extra: Partial<TrialResultReport['evaluation']> = {}): TrialResultReport => ({
  candidate: { x },
  evaluation: { status: 'ok', score: x * 2, durationMs: 3, ...extra },
})

/** A result whose artifact takes a chunked item (over DynamoDB's 400 KB). */
const bigReport = (x: number): TrialResultReport => report(x, { artifact: { blob: 'ab'.repeat(300_000), x } })

/** A new session in `store`, its id. */
async function session(store: DynamoDbStore): Promise<string> {
  const head = makeHead()
  await store.create(head)
  return head.sessionId
}

/** Resolves once `instant` (epoch ms, this machine's clock, as the store's) has passed. */
async function after(instant: number): Promise<void> {
  while (Date.now() <= instant) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** Sort keys of every item under the session's partition, as stored. */
async function partition(sessionId: string): Promise<string[]> {
  const client = rawClient()
  try {
    const keys: string[] = []
    let start: Record<string, { S?: string }> | undefined
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: table.tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: sessionId } },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start as never } : {}),
        }),
      )
      keys.push(...(out.Items ?? []).map((it) => it.sk?.S ?? ''))
      start = out.LastEvaluatedKey as typeof start
    } while (start)
    return keys
  } finally {
    client.destroy()
  }
}

/** Sets one attribute of the slot item of trial `trialIdx` (incarnation 1) under the store, as time or damage would. */
async function setSlotAttribute(sessionId: string, trialIdx: number, name: string, value: AttributeValue): Promise<void> {
  const client = rawClient()
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table.tableName(),
        Key: { pk: { S: sessionId }, sk: { S: `slot#${'1'.padStart(10, '0')}#${String(trialIdx).padStart(10, '0')}` } },
        UpdateExpression: 'SET #a = :v',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#a': name },
        ExpressionAttributeValues: { ':v': value },
      }),
    )
  } finally {
    client.destroy()
  }
}

/** Makes the stored claim of trial `trialIdx` lapsed an hour ago, as time would. */
const lapseClaim = (sessionId: string, trialIdx: number): Promise<void> =>
  setSlotAttribute(sessionId, trialIdx, 'claimExpiresAt', { N: String(Date.now() - 3_600_000) })

const chunksOf = async (sessionId: string): Promise<string[]> => (await partition(sessionId)).filter((sk) => sk.startsWith('chunk#'))

describe('claims', () => {
  test('stores racing to claim one trial: exactly one wins (token 1), the others get TRIAL_CLAIMED naming it', async () => {
    const stores = Array.from({ length: 6 }, () => open())
    const id = await session(stores[0] as DynamoDbStore)
    for (const trialIdx of [0, 1, 2]) {
      const outcomes = await Promise.all(stores.map((s, i) => settle(s.claimTrial(id, { trialIdx, owner: `w${i}`, ttlMs: TTL }))))
      const won = outcomes.flatMap((o) => (o.outcome === 'resolved' ? [o.value] : []))
      expect(won).toHaveLength(1)
      const winner = won[0] as TrialClaim
      expect(winner).toMatchObject({ trialIdx, token: 1 })
      for (const o of outcomes.filter((x) => x.outcome === 'rejected')) {
        expect(o).toMatchObject(rejectedWith('TRIAL_CLAIMED'))
        expect(String((o as { message: unknown }).message)).toContain(winner.owner)
      }
      const [slot] = await (stores[5] as DynamoDbStore).readTrialSlots(id, [trialIdx])
      expect(slot).toEqual({ trialIdx, claim: winner, result: null })
    }
  })

  test('a lapsed claim is taken over with token + 1; racing takers: one wins; the old claim can neither renew nor report', async () => {
    const [a, b, c] = [open(), open(), open()]
    const id = await session(a)
    const first = await a.claimTrial(id, { trialIdx: 4, owner: 'a', ttlMs: 20 })
    expect(first.token).toBe(1)
    await after(first.expiresAt)
    const outcomes = await Promise.all([
      settle(b.claimTrial(id, { trialIdx: 4, owner: 'b', ttlMs: TTL })),
      settle(c.claimTrial(id, { trialIdx: 4, owner: 'c', ttlMs: TTL })),
    ])
    const won = outcomes.flatMap((o) => (o.outcome === 'resolved' ? [o.value] : []))
    expect(won).toHaveLength(1)
    expect(won[0]?.token).toBe(2)
    expect(outcomes.filter((o) => o.outcome === 'rejected')).toEqual([expect.objectContaining(rejectedWith('TRIAL_CLAIMED'))])
    expect(await settle(a.renewTrialClaim(id, first, TTL))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(a.reportTrialResult(id, first, report(1)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect((await a.readTrialSlots(id, [4]))[0]).toEqual({ trialIdx: 4, claim: won[0], result: null })
  })

  test('a claim on a trial with a result is refused even after the claim lapsed (TRIAL_CLAIMED, "already has a reported result")', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    await store.reportTrialResult(id, claim, report(0))
    await lapseClaim(id, 0)
    const refused = await settle(store.claimTrial(id, { trialIdx: 0, owner: 'v', ttlMs: TTL }))
    expect(refused).toMatchObject(rejectedWith('TRIAL_CLAIMED'))
    expect(String((refused as { message: unknown }).message)).toContain('already has a reported result')
  })

  test('a claim whose answer was lost (the SDK retried a landed write) is recognised: token 1, not a refusal', async () => {
    const store = open()
    const id = await session(store)
    const isClaim = (r: Request) => r.command === 'UpdateItemCommand' && String(r.input.UpdateExpression).includes('if_not_exists(#token')
    const fault = injectFault(store.client, { when: 'after', match: isClaim, error: networkError, times: 1 })
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    expect(fault.hits).toBe(1)
    expect(claim).toMatchObject({ trialIdx: 0, owner: 'w', token: 1 })
    expect((await store.readTrialSlots(id, [0]))[0]?.claim).toEqual(claim)
  })
})

describe('renewals', () => {
  test('a renewal extends the live claim; one after the claim lapsed or after the report is refused', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    const renewed = await store.renewTrialClaim(id, claim, 2 * TTL)
    expect(renewed).toMatchObject({ trialIdx: 0, owner: 'w', token: 1 })
    expect(renewed.expiresAt).toBeGreaterThan(claim.expiresAt)
    expect((await store.readTrialSlots(id, [0]))[0]?.claim).toEqual(renewed)
    await store.reportTrialResult(id, renewed, report(0))
    expect(await settle(store.renewTrialClaim(id, renewed, TTL))).toMatchObject(rejectedWith('CLAIM_LOST'))

    const short = await store.claimTrial(id, { trialIdx: 1, owner: 'w', ttlMs: 20 })
    await after(short.expiresAt)
    const lapsed = await settle(store.renewTrialClaim(id, short, TTL))
    expect(lapsed).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(String((lapsed as { message: unknown }).message)).toContain('lapsed')
  })

  test('renewing or reporting a claim on a trial never claimed → CLAIM_LOST', async () => {
    const store = open()
    const id = await session(store)
    const forged: TrialClaim = { trialIdx: 7, owner: 'w', token: 1, expiresAt: Date.now() + TTL }
    expect(await settle(store.renewTrialClaim(id, forged, TTL))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(store.reportTrialResult(id, forged, report(7)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await partition(id)).toEqual(['head', 'incarnation'])
  })
})

describe('reports', () => {
  test('a result is stored once: a second report of the same claim is refused and the first stays', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 2, owner: 'w', ttlMs: TTL })
    await store.reportTrialResult(id, claim, report(2))
    const again = await settle(store.reportTrialResult(id, claim, report(99)))
    expect(again).toMatchObject(rejectedWith('CLAIM_LOST'))
    const [slot] = await store.readTrialSlots(id, [2])
    expect(slot?.result).toMatchObject({ ...report(2), owner: 'w', claimToken: 1 })
    expect(slot?.result?.reportedAt).toBeGreaterThanOrEqual(claim.expiresAt - TTL)
  })

  test("a stale worker's report (its claim lapsed and was taken over) is refused and writes nothing, its chunks included", async () => {
    const [a, b] = [open(), open()]
    const id = await session(a)
    const stale = await a.claimTrial(id, { trialIdx: 0, owner: 'a', ttlMs: 20 })
    await after(stale.expiresAt)
    const live = await b.claimTrial(id, { trialIdx: 0, owner: 'b', ttlMs: TTL })
    expect(await settle(a.reportTrialResult(id, stale, bigReport(0)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await chunksOf(id)).toEqual([])
    expect((await b.readTrialSlots(id, [0]))[0]).toEqual({ trialIdx: 0, claim: live, result: null })
    await b.reportTrialResult(id, live, report(0))
    expect((await a.readTrialSlots(id, [0]))[0]?.result).toMatchObject({ ...report(0), owner: 'b', claimToken: 2 })
  })

  test('a report after the claim lapsed (not taken over) is refused: a late result is never stored', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: 20 })
    await after(claim.expiresAt)
    expect(await settle(store.reportTrialResult(id, claim, report(0)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect((await store.readTrialSlots(id, [0]))[0]?.result).toBeNull()
  })

  test('a result over 400 KB is stored in chunks and read back whole', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    await store.reportTrialResult(id, claim, bigReport(0))
    expect((await chunksOf(id)).length).toBeGreaterThan(1)
    const [slot] = await open().readTrialSlots(id, [0])
    expect(slot?.result).toEqual({ ...bigReport(0), owner: 'w', claimToken: 1, reportedAt: expect.any(Number) })
  })

  test('a report whose answer was lost (the SDK retried a landed write) is recognised as stored', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    const isReport = (r: Request) => r.command === 'UpdateItemCommand' && String(r.input.UpdateExpression).includes('#r0')
    const fault = injectFault(store.client, { when: 'after', match: isReport, error: networkError, times: 1 })
    await store.reportTrialResult(id, claim, report(0))
    expect(fault.hits).toBe(1)
    expect((await store.readTrialSlots(id, [0]))[0]?.result).toMatchObject(report(0))
  })
})

describe('reads', () => {
  test('a stored result whose bytes fail their checksum reads as CHECKPOINT_CORRUPT, never as a result', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    await store.reportTrialResult(id, claim, report(0))
    await setSlotAttribute(id, 0, 'body', {
      B: new TextEncoder().encode('{"candidate":{"x":1},"evaluation":{"status":"ok","score":9,"durationMs":3}}'),
    })
    const read = await settle(store.readTrialSlots(id, [0]))
    expect(read).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    expect(String((read as { message: unknown }).message)).toContain('checksum')
  })

  test('slots come back in the order asked, repeats included; never-claimed trials read empty', async () => {
    const store = open()
    const id = await session(store)
    const c3 = await store.claimTrial(id, { trialIdx: 3, owner: 'w3', ttlMs: TTL })
    const c1 = await store.claimTrial(id, { trialIdx: 1, owner: 'w1', ttlMs: TTL })
    await store.reportTrialResult(id, c1, report(1))
    const r1 = { ...report(1), owner: 'w1', claimToken: 1, reportedAt: expect.any(Number) }
    const dense = await store.readTrialSlots(id, [3, 0, 1, 3, 2])
    expect(dense).toEqual([
      { trialIdx: 3, claim: c3, result: null },
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 1, claim: c1, result: r1 },
      { trialIdx: 3, claim: c3, result: null },
      { trialIdx: 2, claim: null, result: null },
    ])
    // Sparse indices (read by key rather than by range) give the same answer.
    const sparse = await store.readTrialSlots(id, [900, 3, 1, 5_000])
    expect(sparse).toEqual([
      { trialIdx: 900, claim: null, result: null },
      { trialIdx: 3, claim: c3, result: null },
      { trialIdx: 1, claim: c1, result: r1 },
      { trialIdx: 5_000, claim: null, result: null },
    ])
    expect(await store.readTrialSlots(id, [])).toEqual([])
  })

  test('a worker that loaded the head pays one request per claim, renewal, report and slot read, one capacity unit each (the README figures)', async () => {
    const store = open()
    const id = await session(open())
    await store.load(id)
    const recorder = recordRequests(store.client, { capacity: true })
    const cost = async (run: () => Promise<unknown>): Promise<Array<{ command: string; units: number | undefined }>> => {
      recorder.requests.length = 0
      await run()
      return [...recorder.requests]
    }
    const pending = [0, 1, 2, 3, 4, 5, 6, 7]
    // A typical result: six parameters, a score, a few stats.
    const typical = (x: number): TrialResultReport => ({
      candidate: { lr: 0.001 * (x + 1), depth: 3 + x, width: 256, dropout: 0.1, optimizer: 'adam', seed: x },
      evaluation: { status: 'ok', score: 0.25, durationMs: 512.3, stats: { loss: [0.9, 0.5, 0.31], epochs: 10 } },
    })
    expect(await cost(() => store.readTrialSlots(id, pending))).toMatchObject([{ command: 'QueryCommand' }])
    const claims: TrialClaim[] = []
    for (const trialIdx of pending) {
      const claimed = await cost(async () =>
        claims.push(await store.claimTrial(id, { trialIdx, owner: 'host-a:12345:ab12cd', ttlMs: TTL })),
      )
      expect(claimed).toEqual([{ command: 'UpdateItemCommand', units: 1 }])
    }
    const claim = claims[0] as TrialClaim
    expect(await cost(() => store.renewTrialClaim(id, claim, TTL))).toEqual([{ command: 'UpdateItemCommand', units: 1 }])
    for (const c of claims)
      expect(await cost(() => store.reportTrialResult(id, c, typical(c.trialIdx)))).toEqual([{ command: 'UpdateItemCommand', units: 1 }])
    // The coordinator's poll: all 8 slots, with their results, in one request and one read unit.
    expect(await cost(() => store.readTrialSlots(id, pending))).toEqual([{ command: 'QueryCommand', units: 1 }])
    expect(await cost(() => store.readTrialSlots(id, [0, 500]))).toMatchObject([{ command: 'BatchGetItemCommand' }])
    recorder.remove()
  })
})

describe('sessions', () => {
  test('delete removes the slots and their chunks; the id created again starts with empty slots', async () => {
    const store = open()
    const head = makeHead()
    await store.create(head)
    const id = head.sessionId
    const c0 = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    await store.claimTrial(id, { trialIdx: 1, owner: 'w', ttlMs: TTL })
    await store.reportTrialResult(id, c0, bigReport(0))
    expect((await partition(id)).filter((sk) => sk.startsWith('slot#'))).toHaveLength(2)
    await store.delete(id)
    expect(await partition(id)).toEqual(['incarnation'])
    expect(await settle(store.readTrialSlots(id, [0, 1]))).toMatchObject(rejectedWith('NOT_FOUND'))
    await store.create(makeHead({ sessionId: id }))
    expect(await store.readTrialSlots(id, [0, 1])).toEqual([
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 1, claim: null, result: null },
    ])
    expect(await store.claimTrial(id, { trialIdx: 0, owner: 'v', ttlMs: TTL })).toMatchObject({ token: 1, owner: 'v' })
  })

  test('an unknown session: every slot method → NOT_FOUND, nothing written', async () => {
    const store = open()
    const claim: TrialClaim = { trialIdx: 0, owner: 'w', token: 1, expiresAt: Date.now() + TTL }
    expect(await settle(store.claimTrial('nope', { trialIdx: 0, owner: 'w', ttlMs: TTL }))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.renewTrialClaim('nope', claim, TTL))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.reportTrialResult('nope', claim, report(0)))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.readTrialSlots('nope', [0]))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.readTrialSlots('nope', []))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await partition('nope')).toEqual([])
  })

  test('bad input → INVALID_INPUT naming the field, before any request', async () => {
    const store = open()
    const id = await session(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'w', ttlMs: TTL })
    const requests = recordRequests(store.client)
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['trialIdx', () => store.claimTrial(id, { trialIdx: -1, owner: 'w', ttlMs: TTL })],
      ['owner', () => store.claimTrial(id, { trialIdx: 1, owner: '', ttlMs: TTL })],
      ['ttlMs', () => store.claimTrial(id, { trialIdx: 1, owner: 'w', ttlMs: 0 })],
      ['sessionId', () => store.claimTrial('a#b', { trialIdx: 1, owner: 'w', ttlMs: TTL })],
      ['claim.token', () => store.renewTrialClaim(id, { ...claim, token: 0 }, TTL)],
      ['report.evaluation.score', () => store.reportTrialResult(id, claim, report(0, { score: Number.NaN }))],
      ['report.candidate', () => store.reportTrialResult(id, claim, { evaluation: report(0).evaluation } as TrialResultReport)],
      ['trialIdxs.1', () => store.readTrialSlots(id, [0, 1.5])],
    ]
    for (const [field, run] of cases) {
      const err = await run().then(
        () => null,
        (e: unknown) => e as { code?: string; field?: string },
      )
      expect({ field, code: err?.code, named: err?.field }).toEqual({ field, code: 'INVALID_INPUT', named: field })
    }
    expect(requests.commands()).toEqual([])
    requests.remove()
    expect((await store.readTrialSlots(id, [0]))[0]).toEqual({ trialIdx: 0, claim, result: null })
  })
})
