/** What the report and the server send: heads without opaque bytes, JSON that cannot end a script element. */
import type { CheckpointHead } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { sessionView } from '../src/index.js'
import { jsonForScript } from '../src/report/inline.js'

describe('sessionView', () => {
  test('drops the optimizer state (its size instead), the RNG state and warm-start seeds', () => {
    const head = {
      sessionId: 's',
      status: 'running',
      optimizer: { id: 'o', stateVersion: 2 },
      optimizerOptions: null,
      seed: 1,
      direction: 'minimize',
      createdAt: 1,
      updatedAt: 2,
      progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: 1 },
      limits: { maxTrials: 5, maxErrors: 1, trialTimeoutMs: null, parallelism: 1 },
      optimizerState: new Uint8Array(17),
      rngState: 'secret-ish',
      pending: [],
      seeds: [{ candidate: { x: 1 }, score: 2 }],
      revision: 4,
      lease: { owner: 'w', fencingToken: 9, expiresAt: 99 },
      warmStart: { source: 'exact', seededTrials: 1, exactKey: 'k' },
    } satisfies CheckpointHead
    const view = sessionView(head)
    expect(view.optimizerStateBytes).toBe(17)
    expect(view.workers).toEqual([])
    expect(view.warmStart).toEqual(head.warmStart)
    expect(JSON.stringify(view)).not.toMatch(/secret-ish|seeds|optimizerState"/)
  })
})

describe('jsonForScript', () => {
  test('escapes what could end or alter a script element, and parses back to the same value', () => {
    const value = { s: '</script><!-- & \u2028 \u2029 >' }
    const out = jsonForScript(value)
    expect(out).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(out)).toEqual(value)
  })
})
