import { describe, expect, test } from 'vitest'
import type { CheckpointHead, Pruner } from '@cairn/core'
import { float, space } from './helpers/deps.js'
import { ConfigError, defineConfig } from '@cairn/cli'
import { validateConfig } from '../src/config/validate.js'
import { resumeOptionsFor, startOptionsFor } from '../src/jobs/drive-options.js'
import { joinOptionsFor } from '../src/jobs/join-options.js'

const pruner: Pruner = { specificationVersion: 'v1', id: 'test/never', stateVersion: 1, shouldPrune: () => false }
const job = { space: space({ x: float(-1, 1) }), objective: ({ x }: { x: number }) => x * x, pruner }

describe('a job pruner in cairn.config.ts', () => {
  test('is passed to startSession, resumeSession and workers', async () => {
    const config = defineConfig({ jobs: { a: job } })
    expect(validateConfig(config)).toBe(config)
    expect((await startOptionsFor(config, 'a', {}, undefined)).pruner).toBe(pruner)
    const head = { sessionId: 's-1', job: 'a' } as CheckpointHead
    expect((await resumeOptionsFor(config, head, {}, undefined)).pruner).toBe(pruner)
    const join = await joinOptionsFor(config, head, { takeOver: false }, undefined)
    expect(join.pruner).toBe(pruner)
  })

  test('something that is not a Pruner is refused naming the field', () => {
    let err: unknown
    try {
      validateConfig({ jobs: { a: { ...job, pruner: 'median' } } })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect(err).toMatchObject({ field: 'jobs.a.pruner' })
    expect(String((err as Error).message)).toMatch(/must be a Pruner/)
  })
})
