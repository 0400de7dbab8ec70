import { afterEach, expect, test } from 'vitest'
import { createCairn, defineConfig, type Cairn } from '@cairn/cli'
import { corruptHead } from '@cairn/core/testing'
import { createMemoryStore, float, space, type CheckpointStore } from './helpers/deps.js'

const quadSpace = space({ x: float(-5, 5) })
const objective = ({ x }: { x: number }): number => (x - 1) ** 2
const job = { space: quadSpace, objective, maxTrials: 12, seed: 5, leaseTtlMs: 200 }

const roots: Cairn[] = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map((c) => c.close()))
})

/** A store that "dies" (every commit and renewal fails) once `n` trials were committed through it. */
function dyingAfter(inner: CheckpointStore, n: number): CheckpointStore {
  let trials = 0
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (prop === 'commit')
        return async (id: string, request: Parameters<CheckpointStore['commit']>[1]) => {
          if (trials >= n) throw new Error('the worker died')
          trials += request.trials.length
          return target.commit(id, request)
        }
      if (prop === 'renewLease') return async () => Promise.reject(new Error('the worker died'))
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

test("a monitor built from the config rebuilds a damaged head with the job's budget, then finishes the session", async () => {
  const inner = createMemoryStore()
  const worker = createCairn(defineConfig({ store: dyingAfter(inner, 4), jobs: { quad: job } }))
  roots.push(worker)
  const handle = await worker.start('quad', { sessionId: 'q1' })
  await handle.wait().catch(() => undefined)
  const before = await inner.readTrials('q1')
  expect(before).toHaveLength(4)
  await corruptHead(inner, 'q1', new TextEncoder().encode('bit rot'))

  const root = createCairn(defineConfig({ store: inner, jobs: { quad: job } }))
  roots.push(root)
  const monitor = await root.monitor({ pollIntervalMs: 20 }, { leaseTtlMs: 500 })
  const rebuilt = new Promise<{ status: string }>((resolve) => monitor.on('rebuilt', resolve))
  const completed = new Promise<{ result: { status: string; progress: { attempts: number } } }>((resolve) =>
    monitor.on('completed', resolve),
  )
  monitor.start()
  try {
    // The job's config knows the budget the damaged head held: rebuilt running, not paused.
    expect(await rebuilt).toMatchObject({ status: 'running' })
    expect((await completed).result).toMatchObject({ status: 'completed', progress: { attempts: 12 } })
  } finally {
    await monitor.stop()
  }
  const after = await inner.readTrials('q1')
  expect(after.map((t) => t.trialIdx)).toEqual(Array.from({ length: 12 }, (_, i) => i))
  expect(after.slice(0, 4)).toEqual(before)
  expect(inner.damagedHeads('q1')).toHaveLength(1)
})
