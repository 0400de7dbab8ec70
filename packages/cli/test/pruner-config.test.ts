import { describe, expect, test } from 'vitest'
import type { CheckpointHead, Pruner } from '@cairn/core'
import { float, space } from './helpers/deps.js'
import { ConfigError, UnknownPrunerError, defineConfig } from '@cairn/cli'
import { asha, medianPruner } from '@cairn/optimizers'
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

  test('a name builds that pruner of @cairn/optimizers, with its options when given { name, options }', async () => {
    const config = defineConfig({
      jobs: { m: { ...job, pruner: 'median' }, a: { ...job, pruner: { name: 'asha', options: { reductionFactor: 3, minResource: 2 } } } },
    })
    expect(validateConfig(config)).toBe(config)
    const median = (await startOptionsFor(config, 'm', {}, undefined)).pruner
    expect(median).toMatchObject({ id: '@cairn/optimizers/median-pruner', options: medianPruner().options })
    const ashaPruner = (await startOptionsFor(config, 'a', {}, undefined)).pruner
    expect(ashaPruner).toMatchObject({ id: '@cairn/optimizers/asha', options: asha({ reductionFactor: 3, minResource: 2 }).options })
    // A resume and a worker build the same pruner (a session resumes only with the one it started with).
    const head = { sessionId: 's-1', job: 'a' } as CheckpointHead
    expect((await resumeOptionsFor(config, head, {}, undefined)).pruner).toMatchObject({ id: ashaPruner?.id, options: ashaPruner?.options })
    expect((await joinOptionsFor(config, head, { takeOver: false }, undefined)).pruner).toMatchObject({ id: ashaPruner?.id })
  })

  test('an unknown pruner name is refused with the nearest name and the known ones', async () => {
    const config = defineConfig({ jobs: { a: { ...job, pruner: 'medain' } } })
    expect(validateConfig(config)).toBe(config)
    const err = await startOptionsFor(config, 'a', {}, undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownPrunerError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'jobs.a.pruner', suggestion: 'median' })
    expect((err as Error).message).toBe(
      '[cairn] jobs.a.pruner: unknown pruner "medain"; did you mean "median"? known: "nop", "median", "asha", "hyperband" (percentilePruner() and patientPruner() take arguments: give the Pruner object)',
    )
    const far = await startOptionsFor(defineConfig({ jobs: { a: { ...job, pruner: { name: 'zzzzzzzz' } } } }), 'a', {}, undefined).catch(
      (e: unknown) => e,
    )
    expect(far).toMatchObject({ suggestion: undefined })
  })

  test('bad pruner options are refused by the pruner factory', async () => {
    const config = defineConfig({ jobs: { a: { ...job, pruner: { name: 'median', options: { nWarmupStep: 3 } } } } })
    await expect(startOptionsFor(config, 'a', {}, undefined)).rejects.toThrow(/nWarmupStep/)
  })

  test('something that is neither a name, { name, options } nor a Pruner is refused naming the field', () => {
    let err: unknown
    try {
      validateConfig({ jobs: { a: { ...job, pruner: 42 } } })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect(err).toMatchObject({ field: 'jobs.a.pruner' })
    expect(String((err as Error).message)).toMatch(/must be a pruner name/)
  })
})
