// Trial slots across real processes: workers (test/fixtures/slot-worker.ts) claim, renew and
// report the trials of one shared session, and are SIGKILLed. Outcomes are asserted, never
// timings: a claim is taken over only once the store says it lapsed.
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isCairnError, type CheckpointHead, type TrialClaim } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { fixture, kill9, message, newHead, runChild, trial, type Child } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
const children: Child[] = []

tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')
afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c)
})

/** A shared session whose head lists trials `0 … n − 1` as pending. */
function sharedHead(id: string, n: number): CheckpointHead {
  return newHead(id, { evaluation: 'shared', pending: Array.from({ length: n }, (_, i) => ({ trialIdx: i, candidate: { x: i } })) })
}

function worker(owner: string, trials: number, ttlMs: number, evalMs: number): Child {
  const child = runChild(fixture('slot-worker.ts'), [dir, 's', owner, String(trials), String(ttlMs), String(evalMs)])
  children.push(child)
  return child
}

type Line = { claimed?: number; reported?: number; lost?: number; token?: number; done?: boolean }
const linesOf = (child: Child): Line[] =>
  child.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Line]
    } catch {
      return []
    }
  })

/** Claims `trialIdx` as soon as the store lets it (retrying while it is claimed); the claim and when it came. */
async function claimWhenFree(store: FsStore, trialIdx: number, owner: string): Promise<TrialClaim> {
  for (let i = 0; ; i++) {
    try {
      return await store.claimTrial('s', { trialIdx, owner, ttlMs: 60_000 })
    } catch (err) {
      // The bound only stops a hanging test; the claim below lapses within a second.
      if (!isCairnError(err, 'TRIAL_CLAIMED') || i > 3_000) throw err
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}

describe('trial slots across processes', () => {
  it("a SIGKILLed worker's claim is not renewed any more: once it lapsed, the trial is claimed again with the next token", async () => {
    const store = createFsStore({ dir })
    await store.create(sharedHead('s', 1))
    // It claims trial 0 and, "evaluating" for ever, keeps its claim alive.
    const child = worker('doomed', 1, 300, 1e9)
    const claimed = await message<Line>(child, (m) => m.claimed === 0)
    await kill9(child)
    const [slot] = await store.readTrialSlots('s', [0])
    const last = slot?.claim as TrialClaim
    expect(last).toMatchObject({ owner: 'doomed', token: claimed.token })
    const taken = await claimWhenFree(store, 0, 'heir')
    // The store let it go only once the dead worker's last renewal had lapsed.
    expect(Date.now()).toBeGreaterThanOrEqual(last.expiresAt)
    expect(taken).toMatchObject({ trialIdx: 0, owner: 'heir', token: (last.token as number) + 1 })
    await store.reportTrialResult('s', taken, { candidate: { x: 0 }, evaluation: { status: 'ok', score: 0, durationMs: 1 } })
    expect((await store.readTrialSlots('s', [0]))[0]?.result).toMatchObject({ owner: 'heir', claimToken: taken.token })
    await store.close()
  }, 60_000)

  it('workers SIGKILLed at random instants while they claim, renew and report: every trial gets exactly one result, no acknowledged one is lost', async () => {
    const store = createFsStore({ dir })
    const TRIALS = 24
    await store.create(sharedHead('s', TRIALS))
    const all = Array.from({ length: TRIALS }, (_, i) => i)
    const spawned = ['w0', 'w1', 'w2'].map((owner) => ({ owner, child: worker(owner, TRIALS, 400, 20) }))
    const killed: typeof spawned = []
    for (let round = 0; round < 2; round++) {
      const victim = spawned.filter((w) => !killed.includes(w))[round % 2] as (typeof spawned)[number]
      // Once it is in its loop, at a random instant of it.
      await message<Line>(victim.child, (m) => m.claimed !== undefined)
      await new Promise((r) => setTimeout(r, Math.random() * 150))
      await kill9(victim.child)
      killed.push(victim)
      // Every slot file is whole after the kill.
      const slots = await store.readTrialSlots('s', all)
      expect(slots.map((s) => s.trialIdx)).toEqual(all)
      const owner = `w${spawned.length}`
      spawned.push({ owner, child: worker(owner, TRIALS, 400, 20) })
    }
    for (const w of spawned.filter((w) => !killed.includes(w))) {
      await message<Line>(w.child, (m) => m.done === true)
      expect(await w.child.exited).toBe(0)
    }

    const slots = await store.readTrialSlots('s', all)
    const acknowledged = new Map<number, { owner: string; token: number }>()
    for (const { owner, child } of spawned)
      for (const l of linesOf(child))
        if (l.reported !== undefined) {
          // Reported once, by one claim, across every worker.
          expect({ trial: l.reported, before: acknowledged.get(l.reported) }).toEqual({ trial: l.reported, before: undefined })
          acknowledged.set(l.reported, { owner, token: l.token as number })
        }
    const killedOwners = killed.map((w) => w.owner)
    for (const slot of slots) {
      const result = slot.result
      expect(result).toMatchObject({ candidate: { x: slot.trialIdx }, evaluation: { status: 'ok', score: slot.trialIdx / 3 } })
      const ack = acknowledged.get(slot.trialIdx)
      // An acknowledged result is the one stored; a result no one acknowledged was written by a worker killed before it could say so.
      if (ack) expect(result).toMatchObject({ owner: ack.owner, claimToken: ack.token })
      else expect(killedOwners).toContain(result?.owner)
      expect(result?.evaluation.stats).toEqual({ owner: result?.owner })
    }
    // A trial a killed worker claimed and never reported was claimed again after its claim lapsed.
    for (const { owner, child } of killed)
      for (const l of linesOf(child))
        if (l.claimed !== undefined) {
          const slot = slots[l.claimed]
          if (slot?.result?.owner !== owner) expect(slot?.result?.claimToken).toBeGreaterThan(l.token as number)
        }
    await store.close()
  }, 120_000)
})

describe('a worker stopped with SIGSTOP inside a claim', () => {
  it("blocks neither the coordinator nor the writes of other slots, and its own slot only until the slot's lock is stale; continued, its claim is refused and writes nothing", async () => {
    // `patient` never breaks a lock in this test and gives up waiting for one after 500 ms;
    // `breaker` breaks a lock untouched for 300 ms.
    const patient = createFsStore({ dir, lockStaleMs: 60_000, lockTimeoutMs: 500 })
    const breaker = createFsStore({ dir, lockStaleMs: 300, lockTimeoutMs: 60_000 })
    await patient.create(sharedHead('s', 2))
    const child = runChild(fixture('stall-claim.ts'), [dir, 's', 'stopped', '0', '300'])
    children.push(child)
    await message(child, (m: { inside?: boolean }) => m.inside === true)
    child.proc.kill('SIGSTOP')
    try {
      // The coordinator's commits take the session's lock, not a slot's.
      const head = await patient.load('s')
      const next = { ...head, pending: head.pending.slice(1), progress: { ...head.progress, attempts: 1, completed: 1 } }
      await patient.commit('s', { expectedRevision: head.revision, fencingToken: 1, head: next, trials: [trial(0)] })
      // Another slot has a lock of its own: claimed and reported without waiting for the stopped worker.
      const mine = await patient.claimTrial('s', { trialIdx: 1, owner: 'alive', ttlMs: 60_000 })
      expect(mine).toMatchObject({ owner: 'alive', token: 1 })
      await patient.reportTrialResult('s', mine, { candidate: { x: 1 }, evaluation: { status: 'ok', score: 1, durationMs: 1 } })
      // Its own slot waits for the lock: in vain while it is fresh, then it is broken once stale (the trial is committed by now).
      await expect(patient.claimTrial('s', { trialIdx: 0, owner: 'alive', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'TIMEOUT' })
      await expect(breaker.claimTrial('s', { trialIdx: 0, owner: 'alive', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'TRIAL_CLAIMED' })
    } finally {
      child.proc.kill('SIGCONT')
    }
    child.send('go')
    expect(await message(child, (m: { claim?: unknown }) => m.claim !== undefined)).toEqual({ claim: 'CLAIM_LOST' })
    expect(await breaker.readTrialSlots('s', [0, 1])).toMatchObject([
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 1, claim: { owner: 'alive', token: 1 }, result: { owner: 'alive', claimToken: 1 } },
    ])
    await patient.close()
    await breaker.close()
  }, 60_000)
})

describe('reportAndClaimTrial passes over claimed slots without their locks', () => {
  it('claims the next candidate while another worker is stopped inside a write of a claimed one', async () => {
    // `patient` never breaks a lock in this test and gives up waiting for one after 500 ms.
    const patient = createFsStore({ dir, lockStaleMs: 60_000, lockTimeoutMs: 500 })
    await patient.create(sharedHead('s', 3))
    const child = runChild(fixture('stall-claim.ts'), [dir, 's', 'stopped', '1', '60000', 'renew'])
    children.push(child)
    await message(child, (m: { inside?: boolean }) => m.inside === true)
    child.proc.kill('SIGSTOP')
    try {
      const mine = await patient.claimTrial('s', { trialIdx: 0, owner: 'alive', ttlMs: 60_000 })
      // Trial 1 is claimed (and its lock held by the stopped renewal): passed over, trial 2 claimed.
      const next = await patient.reportAndClaimTrial(
        's',
        mine,
        { candidate: { x: 0 }, evaluation: { status: 'ok', score: 0, durationMs: 1 } },
        { trialIdxs: [1, 2], owner: 'alive', ttlMs: 60_000 },
      )
      expect(next).toMatchObject({ trialIdx: 2, owner: 'alive', token: 1 })
    } finally {
      child.proc.kill('SIGCONT')
    }
    child.send('go')
    expect(await message(child, (m: { claim?: unknown }) => m.claim !== undefined)).toEqual({ claim: 1 })
    expect(await patient.readTrialSlots('s', [0, 1, 2])).toMatchObject([
      { trialIdx: 0, result: { owner: 'alive' } },
      { trialIdx: 1, claim: { owner: 'stopped', token: 1 }, result: null },
      { trialIdx: 2, claim: { owner: 'alive', token: 1 }, result: null },
    ])
    await patient.close()
  }, 60_000)
})

describe('trial slots and commits', () => {
  it("a shared session's commit drops the slot files of the trials it accounts for; claims and reports of them are refused", async () => {
    const store = createFsStore({ dir })
    await store.create(sharedHead('s', 3))
    const zero = await store.claimTrial('s', { trialIdx: 0, owner: 'w', ttlMs: 60_000 })
    await store.reportTrialResult('s', zero, { candidate: { x: 0 }, evaluation: { status: 'ok', score: 0, durationMs: 1 } })
    const one = await store.claimTrial('s', { trialIdx: 1, owner: 'w', ttlMs: 60_000 })
    const slotsDir = join(dir, 'sessions', 's', 'slots')
    expect((await readdir(slotsDir)).sort()).toEqual(['0', '1'])

    const head = await store.load('s')
    const next = { ...head, pending: head.pending.slice(1), progress: { ...head.progress, attempts: 1, completed: 1 } }
    await store.commit('s', { expectedRevision: head.revision, fencingToken: 1, head: next, trials: [trial(0)] })
    expect(await readdir(slotsDir)).toEqual(['1'])
    expect(await store.readTrialSlots('s', [0])).toEqual([{ trialIdx: 0, claim: null, result: null }])
    // A worker with an old view of the head cannot claim, or report, the committed trial.
    const again = store.claimTrial('s', { trialIdx: 0, owner: 'late', ttlMs: 60_000 })
    await expect(again).rejects.toMatchObject({ code: 'TRIAL_CLAIMED' })
    await expect(
      store.reportTrialResult('s', zero, { candidate: { x: 0 }, evaluation: { status: 'ok', score: 0, durationMs: 1 } }),
    ).rejects.toMatchObject({
      code: 'CLAIM_LOST',
    })
    expect(await readdir(slotsDir)).toEqual(['1'])
    expect((await store.readTrialSlots('s', [1]))[0]?.claim).toEqual(one)
    await store.close()
  })
})

describe('slot files are not flushed: what a power cut may leave of them', () => {
  const ok = (x: number) => ({ candidate: { x }, evaluation: { status: 'ok' as const, score: x, durationMs: 1 } })

  it.each([
    ['empty', (path: string) => truncate(path, 0)],
    ['cut short', async (path: string) => writeFile(path, (await readFile(path)).subarray(0, 12))],
  ])('a slot file left %s reads as a slot never claimed: the trial is claimed anew, and the old claim is refused', async (_, damage) => {
    const store = createFsStore({ dir })
    await store.create(sharedHead('s', 2))
    const lost = await store.claimTrial('s', { trialIdx: 0, owner: 'before-the-cut', ttlMs: 60_000 })
    const reported = await store.claimTrial('s', { trialIdx: 1, owner: 'before-the-cut', ttlMs: 60_000 })
    await store.reportTrialResult('s', reported, ok(1))
    await damage(join(dir, 'sessions', 's', 'slots', '0'))
    await damage(join(dir, 'sessions', 's', 'slots', '1'))

    expect(await store.readTrialSlots('s', [0, 1])).toEqual([
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 1, claim: null, result: null },
    ])
    const again = await store.claimTrial('s', { trialIdx: 0, owner: 'after-the-cut', ttlMs: 60_000 })
    expect(again).toMatchObject({ trialIdx: 0, owner: 'after-the-cut', token: 1 })
    // The claim the damaged file held is no longer the slot's: its renewal and its report are refused.
    await expect(store.renewTrialClaim('s', lost, 60_000)).rejects.toMatchObject({ code: 'CLAIM_LOST' })
    await expect(store.reportTrialResult('s', lost, ok(0))).rejects.toMatchObject({ code: 'CLAIM_LOST' })
    await store.reportTrialResult('s', again, ok(0))
    const [slot] = await store.readTrialSlots('s', [0])
    expect(slot?.result).toMatchObject({ owner: 'after-the-cut', claimToken: 1, candidate: { x: 0 } })
    // The trial whose reported result the cut lost runs again: it is claimable.
    await expect(store.claimTrial('s', { trialIdx: 1, owner: 'after-the-cut', ttlMs: 60_000 })).resolves.toMatchObject({ token: 1 })
    await store.close()
  })
})
