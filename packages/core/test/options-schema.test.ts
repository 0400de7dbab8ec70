import { describe, expect, test } from 'vitest'
import { createMemoryStore, defineOptions, optionKinds as k, resumeSession, UnknownOptionError } from '../src/index.js'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}

describe('defineOptions', () => {
  test('an unknown key inside an object branch of a union names the nearest key of that branch', () => {
    interface Options {
      wait?: boolean | { timeoutMs?: number }
    }
    const schema = defineOptions<Options>('demo', {
      wait: k.optional(k.union([k.boolean(), k.object({ timeoutMs: k.optional(k.durationMs()) })], 'must be true, false or { timeoutMs }')),
    })
    const err = thrown(() => schema.check({ wait: { timeoutMS: 5 } }))
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toMatchObject({ field: 'wait.timeoutMS', suggestion: 'timeoutMs', known: ['timeoutMs'] })
    expect((err as Error).message).toBe('demo: unknown option wait.timeoutMS (did you mean timeoutMs?)')
  })

  test("resumeSession's waitForLease: { timeoutMS } names timeoutMs", async () => {
    const err = await resumeSession(createMemoryStore(), 'any', {
      optimizer: { id: 'x' } as never,
      waitForLease: { timeoutMS: 5 } as never,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect((err as Error).message).toBe('resumeSession: unknown option waitForLease.timeoutMS (did you mean timeoutMs?)')
  })
})
