import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { compile, createMemoryStore, resumeSession, type CheckpointHead, type ObjectiveContext } from '../src/index.js'
import { decodeHead, decodeTrial, encodeHead, encodeTrial, openEnvelope } from '../src/store-kit.js'
import { corruptHead } from '../src/testing.js'
import { uniform } from './helpers/optimizers.js'

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))
const bodyOf = (kind: 'head' | 'trial', bytes: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(openEnvelope(kind, bytes, kind).body)) as Record<string, unknown>

/** The objective the fixture session ran (`head-v1-paused.bin`): three reports, then the score. */
function curve(c: { x: number }, ctx: ObjectiveContext): number {
  for (let s = 0; s < 3; s++) ctx.report(s, -c.x * c.x + s)
  return -c.x * c.x + 3
}
const SESSION = { sessionId: 'fixture-v1-final', job: 'curve', seed: 11, direction: 'maximize' as const }

describe('format 1 → 2: records written before several objectives existed', () => {
  test('a format-1 head decodes: its direction kept, its pending trial kept', () => {
    const bytes = fixture('head-v1-paused.bin')
    expect(bodyOf('head', bytes)).toMatchObject({ v: 1, direction: 'maximize' })
    const head = decodeHead(bytes)
    expect(head).toMatchObject({ sessionId: 'fixture-v1-final', status: 'paused', direction: 'maximize', revision: expect.any(Number) })
    expect(head.directions).toBeUndefined()
    expect(head.progress).toMatchObject({ attempts: 5, completed: 5, bestTrialIdx: 1 })
    expect(head.pending).toEqual([{ trialIdx: 5, candidate: expect.objectContaining({ x: expect.any(Number) }) }])
    // Written back, it is format 2 and reads the same.
    const again = encodeHead(head)
    expect(bodyOf('head', again)).toMatchObject({ v: 2, directions: ['maximize'] })
    expect(bodyOf('head', again).direction).toBeUndefined()
    expect(decodeHead(again)).toEqual(head)
  })

  test('a format-1 trial record decodes with its score and learning curve', () => {
    const bytes = fixture('trial-v1.bin')
    expect(bodyOf('trial', bytes).v).toBe(1)
    const trial = decodeTrial(bytes)
    expect(trial).toMatchObject({ trialIdx: 2, status: 'ok', score: expect.any(Number) })
    expect(trial.intermediate?.map((p) => p.step)).toEqual([0, 1, 2])
    expect(decodeTrial(encodeTrial(trial))).toEqual(trial)
  })

  test('a session paused by the old release resumes after the change and proposes what a straight run proposes', async () => {
    const straight = createMemoryStore()
    await compile({ store: straight, ...SESSION, optimizer: uniform(), objective: curve, maxTrials: 10 })
    const expected = (await straight.readTrials(SESSION.sessionId)).map((t) => t.candidate)

    // The fixture head over the trial log its first five trials wrote.
    const store = createMemoryStore()
    await compile({ store, ...SESSION, optimizer: uniform(), objective: curve, maxTrials: 5 })
    await corruptHead(store, SESSION.sessionId, fixture('head-v1-paused.bin'))
    expect((await store.load(SESSION.sessionId)).status).toBe('paused')

    const resumed = await resumeSession(store, SESSION.sessionId, { optimizer: uniform(), objective: curve, maxTrials: 10 })
    const result = await resumed.wait()
    expect(result).toMatchObject({ status: 'completed', progress: { attempts: 10, completed: 10 } })
    expect((await store.readTrials(SESSION.sessionId)).map((t) => t.candidate)).toEqual(expected)
    const stored: CheckpointHead = await store.load(SESSION.sessionId)
    expect(stored.direction).toBe('maximize')
  })

  test('a multi-objective head keeps its directions through the codec', () => {
    const head = decodeHead(fixture('head-v1-paused.bin'))
    const multi = { ...head, directions: ['maximize', 'minimize'] as CheckpointHead['direction'][] }
    const bytes = encodeHead(multi)
    expect(bodyOf('head', bytes).directions).toEqual(['maximize', 'minimize'])
    expect(decodeHead(bytes)).toEqual(multi)
  })
})
