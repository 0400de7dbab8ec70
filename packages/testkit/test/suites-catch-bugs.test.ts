/**
 * The suites must fail for broken implementations, not only pass for good ones: each case
 * breaks one rule (in a wrapper around the memory store, or in an optimizer) and checks that
 * the suite test guarding that rule fails while the rest of the suite still passes.
 */
import { describe, expect, test } from 'vitest'
import { askTell, createMemoryStore } from '@cairn/core'
import { MAX_LEASE_TTL_MS } from '@cairn/core'
import type { CheckpointStore, ListFilter, MemoryStore, TrialRecord, WarmStartStore } from '@cairn/core'
import { corruptHead, corruptTrial, corruptWarmStartEntry, dropTrial } from '@cairn/core/testing'
import { describeCheckpointStore, describeOptimizer, describeWarmStartStore } from '../src/index.js'
import { removeDir, tempDir } from '../src/index.js'
import { randomSampler } from './fixtures/optimizers.js'
import { record, runMatching } from './fixtures/recording-runner.js'
import { memoryProgress, withTrialProgress, type ProgressMethods } from './fixtures/progress-store.js'
import { ToyFsStore } from './fixtures/toy-fs-store.js'

const garbage = new TextEncoder().encode('garbage')

/** A memory store with some methods replaced. */
function broken(patch: (inner: MemoryStore) => Partial<CheckpointStore & WarmStartStore>) {
  return async () => {
    const inner = createMemoryStore()
    const p = patch(inner)
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop in p) return (p as Record<string | symbol, unknown>)[prop]
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    return {
      store,
      corruptHead: (id: string) => corruptHead(inner, id, garbage),
      corruptTrial: async (id: string, trialIdx: number) => corruptTrial(inner, id, trialIdx),
      dropTrial: async (id: string, trialIdx: number) => dropTrial(inner, id, trialIdx),
      corruptWarmStartEntry: (key: string, runId: string) => corruptWarmStartEntry(inner, key, runId, garbage),
    }
  }
}

async function expectCaught(register: Parameters<typeof record>[0], failing: string, passing: string[] = []) {
  const tests = await record(register)
  for (const r of await runMatching(tests, failing))
    expect({ name: r.name, failed: r.error !== undefined }).toEqual({ name: r.name, failed: true })
  for (const part of passing)
    for (const r of await runMatching(tests, part)) expect({ name: r.name, error: r.error }).toEqual({ name: r.name, error: undefined })
}

describe('describeCheckpointStore catches broken stores', () => {
  test('a store that ignores the fencing token', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'no fencing',
          broken((inner) => ({
            commit: async (id, req) => inner.commit(id, { ...req, fencingToken: (await inner.load(id)).lease?.fencingToken ?? 0 }),
          })),
          runner,
        ),
      'fencing:',
      ['compare-and-set'],
    ))

  test('a store whose create overwrites an existing session', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'overwrites',
          broken((inner) => ({
            create: async (head) => {
              await inner.delete(head.sessionId)
              await inner.create(head)
            },
          })),
          runner,
        ),
      'create of an existing id',
      ['create + load round trip'],
    ))

  test('a store whose list cursor repeats the last item', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'bad cursor',
          broken((inner) => ({
            list: async (filter = {}) => {
              const page = await inner.list({ ...filter, cursor: undefined })
              if (filter.cursor === undefined) return page
              const all = (await inner.list({ ...filter, limit: undefined, cursor: undefined })).items
              const at = all.findIndex((l) => l.sessionId === filter.cursor)
              const items = all.slice(at, at + (filter.limit ?? all.length))
              return at + (filter.limit ?? all.length) < all.length ? { items, cursor: items[items.length - 1]!.sessionId } : { items }
            },
          })),
          runner,
        ),
      'list pages',
      ['list filters'],
    ))

  test('a store that rewrites earlier trial records on every commit', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'rewrites history',
          broken((inner) => ({
            readTrials: async (id, opts) => {
              const head = await inner.load(id)
              return (await inner.readTrials(id, opts)).map((t) => ({ ...t, durationMs: head.revision }))
            },
          })),
          runner,
        ),
      'O(1) per trial',
    ))

  test('a store that never reports control requests', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'deaf',
          broken((inner) => ({
            commit: async (id, req) => ({ ...(await inner.commit(id, req)), control: null }),
          })),
          runner,
        ),
      'requestControl: the flag',
    ))

  test('a store that hides corrupt heads from list', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'hides corruption',
          broken((inner) => ({
            list: async (filter) => {
              const page = await inner.list(filter)
              return { ...page, items: page.items.filter((l) => l.status !== 'corrupt') }
            },
          })),
          runner,
        ),
      'a corrupt head',
    ))

  test('a store that declares an unknown specificationVersion', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'future contract',
          broken(() => ({ specificationVersion: 'v2' as never })),
          runner,
        ),
      'declares specificationVersion',
      ['create + load round trip'],
    ))
})

/** The names of the suite's trial-damage tests. */
const DAMAGE_TEST = /(damaged|missing) trial record/

describe('describeCheckpointStore catches stores that lose trials silently', () => {
  /** Reads trial by trial and leaves out the ones it cannot read: a short list, no error. */
  const shortList = broken((inner) => ({
    readTrials: async (id, options = {}) => {
      const attempts = (await inner.load(id)).progress.attempts
      const from = options.from ?? 0
      const end = Math.min(attempts, options.limit === undefined ? Infinity : from + options.limit)
      const out: TrialRecord[] = []
      for (let i = from; i < end; i++) out.push(...(await inner.readTrials(id, { from: i, limit: 1 }).catch(() => [])))
      return out
    },
  }))

  test('a store whose readTrials skips a damaged or missing record', () =>
    expectCaught((runner) => describeCheckpointStore('short list', shortList, runner), 'never a short list', [
      'create + load round trip',
      'commit bumps the revision and makes trials visible',
    ]))

  test('a fixture that does not declare its trial fault hooks fails the tests that need them', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'undeclared hooks',
        async () => {
          const store = createMemoryStore()
          return { store, corruptHead: (id: string) => corruptHead(store, id, garbage) }
        },
        runner,
      ),
    )
    const damage = tests.filter((t) => DAMAGE_TEST.test(t.name))
    expect(damage.map((t) => t.skipped)).toEqual([false, false, false, false])
    for (const t of damage) await expect(async () => t.fn()).rejects.toThrow(/does not declare (corruptTrial|dropTrial)/)
  })

  test('a fixture that declares a hook missing (null) gets those tests reported as skipped', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'no drop',
        async () => {
          const store = createMemoryStore()
          return {
            store,
            corruptHead: (id: string) => corruptHead(store, id, garbage),
            corruptTrial: async (id: string, trialIdx: number) => corruptTrial(store, id, trialIdx),
            dropTrial: null,
          }
        },
        runner,
      ),
    )
    const damage = tests.filter((t) => DAMAGE_TEST.test(t.name))
    expect(damage.filter((t) => t.skipped).map((t) => t.name.startsWith('[needs dropTrial] a missing'))).toEqual([true, true])
    expect(damage.filter((t) => !t.skipped).map((t) => t.name.startsWith('a damaged'))).toEqual([true, true])
    for (const r of await runMatching(damage, 'a damaged trial record')) expect(r.error).toBeUndefined()
  })
})

describe('describeCheckpointStore catches stores that skip an input check', () => {
  test('a store that accepts an empty lease owner', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'empty owner',
          broken((inner) => ({ acquireLease: (id, owner, ttl) => inner.acquireLease(id, owner === '' ? 'anonymous' : owner, ttl) })),
          runner,
        ),
      'acquireLease refuses a malformed owner',
      ['acquireLease while another owner holds a live lease'],
    ))

  test('a store that accepts any lease ttl (it takes the biggest it can)', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'any ttl',
          broken((inner) => ({
            renewLease: (id, lease, ttl) => inner.renewLease(id, lease, ttl > 0 ? Math.min(ttl, MAX_LEASE_TTL_MS) : MAX_LEASE_TTL_MS),
          })),
          runner,
        ),
      'ttl that is not a positive number',
      ['renewLease extends the current lease'],
    ))

  test('a store that reads a fencing token given as a string', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'loose token',
          broken((inner) => ({ commit: (id, req) => inner.commit(id, { ...req, fencingToken: Number(req.fencingToken) }) })),
          runner,
        ),
      'commit refuses a malformed request',
      ['commit bumps the revision'],
    ))

  test('a store that ignores unknown list filter keys', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'loose filter',
          broken((inner) => ({
            list: (filter) => {
              const { status, optimizer, updatedSince, limit, cursor } = (filter ?? {}) as ListFilter
              return inner.list(
                filter === null
                  ? {}
                  : {
                      ...(status !== undefined ? { status } : {}),
                      ...(optimizer !== undefined ? { optimizer } : {}),
                      ...(updatedSince !== undefined ? { updatedSince } : {}),
                      ...(limit !== undefined ? { limit } : {}),
                      ...(cursor !== undefined ? { cursor } : {}),
                    },
              )
            },
          })),
          runner,
        ),
      'list refuses a malformed filter',
      ['list filters'],
    ))
  test('a store whose replaceDamagedHead reads a fencing token given as a string', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'loose replace',
          broken((inner) => ({
            replaceDamagedHead: (id, req) =>
              (inner.replaceDamagedHead as NonNullable<MemoryStore['replaceDamagedHead']>).call(inner, id, {
                ...req,
                fencingToken: Number(req.fencingToken),
              }),
          })),
          runner,
        ),
      'salvage and replaceDamagedHead refuse malformed input',
      ['replaceDamagedHead: refusals write nothing'],
    ))
})

/** The toy fs store (it has trial slots) with some methods replaced. */
function brokenSlots(patch: (inner: ToyFsStore) => Partial<CheckpointStore>) {
  return async () => {
    const dir = await tempDir()
    const inner = new ToyFsStore(dir)
    const p = patch(inner)
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop in p) return (p as Record<string | symbol, unknown>)[prop]
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    return {
      store: store as CheckpointStore,
      corruptHead: async (id: string) => inner.corruptHead(id),
      corruptTrial: null,
      dropTrial: null,
      cleanup: () => removeDir(dir),
    }
  }
}

describe('describeCheckpointStore catches broken trial slots', () => {
  test('a store whose claimTrial ignores a live claim', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'claims twice',
          brokenSlots((inner) => ({
            // Hands out a second claim (the next token) while the first is live.
            claimTrial: async (id, request) => {
              const [slot] = await inner.readTrialSlots(id, [request.trialIdx])
              if (slot?.claim && !slot.result) return { ...slot.claim, owner: request.owner, token: slot.claim.token + 1 }
              return inner.claimTrial(id, request)
            },
          })),
          runner,
        ),
      'while another claim is live',
      ['the first claim of a trial gets token 1'],
    ))

  test('a store whose reportTrialResult accepts a superseded claim', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'zombie reports',
          brokenSlots((inner) => ({
            reportTrialResult: async (id, claim, report) => {
              const [slot] = await inner.readTrialSlots(id, [claim.trialIdx])
              const current = slot?.claim && slot.claim.expiresAt > Date.now() ? slot.claim : claim
              return inner.reportTrialResult(id, current, report)
            },
          })),
          runner,
        ),
      'by a superseded or a lapsed claim',
      ['stores the result exactly'],
    ))

  test('a store that lets a reported trial be claimed again once its claim lapsed', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'forgets results',
          brokenSlots((inner) => ({
            claimTrial: async (id, request) => {
              const [slot] = await inner.readTrialSlots(id, [request.trialIdx])
              if (slot?.result && slot.claim && slot.claim.expiresAt <= Date.now()) {
                const token = slot.claim.token + 1
                return { trialIdx: request.trialIdx, owner: request.owner, token, expiresAt: Date.now() + request.ttlMs }
              }
              return inner.claimTrial(id, request)
            },
          })),
          runner,
        ),
      'a trial with a reported result cannot be claimed again',
      ['the first claim of a trial gets token 1'],
    ))

  test('a store without the slot methods that declares sharedEvaluation fails the slot tests, saying so', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'declares only',
        brokenSlots(() => ({ claimTrial: undefined, readTrialSlots: undefined }) as Partial<CheckpointStore>),
        runner,
      ),
    )
    const slots = tests.filter((t) => t.name.startsWith('trial slots:'))
    expect(slots.length).toBeGreaterThan(10)
    await expect(async () => (slots[0] as (typeof slots)[0]).fn()).rejects.toThrow(
      /declares capabilities.sharedEvaluation but has no claimTrial, readTrialSlots/,
    )
  })

  test('a store without sharedEvaluation gets the slot tests reported as skipped, named', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'unshared',
        broken(() => ({ capabilities: { durable: false, multiProcess: false, multiMachine: false, sharedEvaluation: false } })),
        runner,
      ),
    )
    const slots = tests.filter((t) => t.name.includes('trial slots:'))
    expect(slots.length).toBeGreaterThan(10)
    for (const t of slots) expect({ name: t.name, skipped: t.skipped }).toEqual({ name: t.name, skipped: true })
    expect(slots.map((t) => t.name)).toContain(
      '[needs sharedEvaluation + multiProcess] trial slots: 3 processes racing to claim the same 12 trials: each is claimed once and its result reported once',
    )
    expect(slots.filter((t) => t.name.startsWith('[needs sharedEvaluation] trial slots:')).length).toBe(slots.length - 1)
  })
})

/** A memory store with trial progress (see fixtures/progress-store.ts), some of its methods replaced. */
function brokenProgress(patch: (good: ProgressMethods, inner: MemoryStore) => Partial<ProgressMethods>) {
  return async () => {
    const inner = createMemoryStore()
    const progress = memoryProgress(inner)
    const p: Record<string | symbol, unknown> = {
      ...progress.methods,
      ...patch(progress.methods, inner),
      capabilities: withTrialProgress(inner),
    }
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop in p) return p[prop]
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    return {
      store,
      corruptHead: (id: string) => corruptHead(inner, id, garbage),
      corruptTrial: async (id: string, trialIdx: number) => corruptTrial(inner, id, trialIdx),
      dropTrial: async (id: string, trialIdx: number) => dropTrial(inner, id, trialIdx),
      corruptTrialProgress: (id: string, trialIdx: number) => progress.damage(id, trialIdx),
    }
  }
}

describe('describeCheckpointStore catches broken trial progress', () => {
  test('the reference progress passes the whole group', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'good progress',
        brokenProgress(() => ({})),
        runner,
      ),
    )
    const group = tests.filter((t) => t.name.startsWith('trial progress:'))
    expect(group.length).toBeGreaterThanOrEqual(10)
    for (const r of await runMatching(tests, 'trial progress:'))
      expect({ name: r.name, error: r.error }).toEqual({ name: r.name, error: undefined })
  })

  test('a store that accepts a lower token', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'no progress fencing',
          brokenProgress((good) => ({
            saveTrialProgress: async (id, trialIdx, token, bytes) => {
              const held = await good.loadTrialProgress(id, trialIdx)
              return good.saveTrialProgress(id, trialIdx, Math.max(token, held?.token ?? 0), bytes)
            },
          })),
          runner,
        ),
      'a lower token than the highest stored',
      ['a save reads back byte for byte'],
    ))

  test('a store that keeps the first save among equal tokens', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'first save wins',
          brokenProgress((good) => ({
            saveTrialProgress: async (id, trialIdx, token, bytes) => {
              const held = await good.loadTrialProgress(id, trialIdx)
              if (held?.token === token) return
              return good.saveTrialProgress(id, trialIdx, token, bytes)
            },
          })),
          runner,
        ),
      'an equal token overwrites',
      ['a save reads back byte for byte'],
    ))

  test('a store that truncates large progress', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'truncates',
          brokenProgress((good) => ({
            saveTrialProgress: (id, trialIdx, token, bytes) =>
              good.saveTrialProgress(id, trialIdx, token, bytes.subarray(0, 8 * 1024 * 1024)),
          })),
          runner,
        ),
      'exactly MAX_TRIAL_PROGRESS_BYTES',
      ['a save reads back byte for byte'],
    ))

  test('a store whose delete(session) leaves the progress behind', () =>
    expectCaught(
      (runner) =>
        describeCheckpointStore(
          'keeps progress',
          brokenProgress((_good, inner) => ({ delete: (id) => inner.delete(id) })),
          runner,
        ),
      'delete(session) removes its progress',
      ['a save reads back byte for byte'],
    ))

  test('a store without trialProgress gets the group reported as skipped, named', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'no progress',
        broken((inner) => ({
          capabilities: { ...inner.capabilities, trialProgress: false },
          saveTrialProgress: undefined,
          loadTrialProgress: undefined,
          deleteTrialProgress: undefined,
        })),
        runner,
      ),
    )
    const group = tests.filter((t) => t.name.includes('trial progress:'))
    expect(group.length).toBeGreaterThanOrEqual(10)
    for (const t of group) expect({ name: t.name, skipped: t.skipped }).toEqual({ name: t.name, skipped: true })
    expect(group.filter((t) => t.name.startsWith('[needs trialProgress] trial progress:')).length).toBe(group.length - 1)
  })

  test('a store that declares trialProgress without the methods fails the group, saying so', async () => {
    const tests = await record((runner) =>
      describeCheckpointStore(
        'declares only',
        brokenProgress(() => ({ loadTrialProgress: undefined }) as unknown as Partial<ProgressMethods>),
        runner,
      ),
    )
    const first = tests.find((t) => t.name.startsWith('trial progress:'))
    await expect(async () => first?.fn()).rejects.toThrow(/declares capabilities.trialProgress but has no loadTrialProgress/)
  })
})

describe('describeWarmStartStore catches broken stores', () => {
  test('a store whose lookup answers an empty key instead of refusing it', () =>
    expectCaught(
      (runner) =>
        describeWarmStartStore(
          'empty key',
          broken((inner) => ({
            lookup: async (key, options) => (key === '' ? null : inner.lookup(key, options)),
            lookupLatest: async (key) => (key === '' ? null : inner.lookupLatest(key)),
          })),
          runner,
        ),
      'lookup and lookupLatest refuse a malformed key',
      ['saveOverwrite then lookup'],
    ))

  test('a store whose lookup returns the latest entry instead of the best', () =>
    expectCaught(
      (runner) =>
        describeWarmStartStore(
          'latest wins',
          broken((inner) => ({ lookup: async (key) => inner.lookupLatest(key) })),
          runner,
        ),
      'ranking: final beats checkpoint',
      ['saveOverwrite then lookup'],
    ))

  test('a store whose lookup does not refresh the access time', () =>
    expectCaught(
      (runner) =>
        describeWarmStartStore(
          'no refresh',
          broken((inner) => {
            const peek = new Map<string, unknown>()
            return {
              lookup: async (key, options) => {
                if (!peek.has(key)) peek.set(key, await inner.lookup(key, options))
                return peek.get(key) as never
              },
            }
          }),
          runner,
        ),
      'refresh lastAccessedAt',
    ))

  test('a store that declares no specificationVersion', () =>
    expectCaught(
      (runner) =>
        describeWarmStartStore(
          'no contract version',
          broken(() => ({ specificationVersion: undefined as never })),
          runner,
        ),
      'declares specificationVersion',
      ['saveOverwrite then lookup'],
    ))
})

type SamplerOptimizer = ReturnType<typeof randomSampler>

/**
 * The random sampler as a plain step-based optimizer (no `sampler`, so the driver runs its
 * `step`) with some methods replaced; `patch` is called once per optimizer made.
 */
function brokenStepper(patch: (inner: SamplerOptimizer) => Partial<SamplerOptimizer>): () => SamplerOptimizer {
  return () => {
    const inner = randomSampler()
    return { ...inner, sampler: undefined, capabilities: { ...inner.capabilities, sampler: false }, ...patch(inner) }
  }
}

describe('describeOptimizer catches broken optimizers', () => {
  /** Keeps a counter outside its state: the sequence changes after a resume. */
  const forgetful = brokenStepper((inner) => {
    let hidden = 0
    return {
      async step(state, ctx) {
        hidden++
        const r = await inner.step(state, ctx)
        if (r.kind === 'continue') {
          const candidate = { ...(r.trial.candidate as object), hidden }
          return { ...r, trial: { ...r.trial, candidate, evaluation: await ctx.evaluate(candidate) } }
        }
        return r
      },
    }
  })

  test('an optimizer that claims the sampler capability without a sampler fails the capabilities test', () =>
    expectCaught(
      (runner) => describeOptimizer('false claim', () => ({ ...randomSampler(), sampler: undefined }), { runner, trials: 4 }),
      'declares specificationVersion',
      ['same seed'],
    ))

  test('an optimizer that claims conditionalSpace but proposes flat candidates fails the conditional-space test', () =>
    expectCaught(
      (runner) =>
        describeOptimizer(
          'false conditional claim',
          () => {
            const o = randomSampler()
            return { ...o, capabilities: { ...o.capabilities, conditionalSpace: true } }
          },
          { runner, trials: 4 },
        ),
      'conditional space: valid candidates',
      ['same seed'],
    ))

  test('an optimizer with state outside encodeState fails the crash tests', () =>
    expectCaught((runner) => describeOptimizer('forgetful', forgetful, { runner, trials: 5 }), 'killed at each trial boundary', [
      'same seed',
    ]))

  test('an optimizer using Math.random fails "same seed"', () =>
    expectCaught(
      (runner) =>
        describeOptimizer(
          'unseeded',
          brokenStepper((inner) => ({
            step: async (s, ctx) =>
              inner.step(s, {
                ...ctx,
                rng: {
                  ...ctx.rng,
                  next: Math.random,
                  uniform: (a: number, b: number) => a + (b - a) * Math.random(),
                  int: (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1)),
                  pick: <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)] as T,
                } as never,
              }),
          })),
          { runner, trials: 4 },
        ),
      'same seed',
    ))

  test('an optimizer that accepts any state version fails the version test', () =>
    expectCaught(
      (runner) =>
        describeOptimizer(
          'lenient',
          () => {
            const inner = randomSampler()
            return { ...inner, decodeState: (bytes) => inner.decodeState(bytes, inner.stateVersion) }
          },
          { runner, trials: 4 },
        ),
      'unknown state version',
      ['state round trip'],
    ))

  test('a multi-objective sampler with state outside encodeState fails the two-objective test only', () =>
    expectCaught(
      (runner) =>
        describeOptimizer(
          'forgetful with several objectives',
          () => {
            const inner = randomSampler()
            const sampler = inner.sampler!
            // Counts the trials told with several values outside its state: only multi-objective runs notice.
            let told = 0
            return askTell({
              ...sampler,
              capabilities: { multiObjective: true },
              ask: (state, ctx) => {
                const r = sampler.ask(state, ctx) as Awaited<ReturnType<typeof sampler.ask>>
                return r.kind === 'candidate' ? { ...r, candidate: { ...(r.candidate as object), told } } : r
              },
              tell: (state, trial, ctx) => {
                if (trial.values) told++
                return sampler.tell!(state, trial, ctx)
              },
            })
          },
          { runner, trials: 4 },
        ),
      'two objectives',
      ['same seed → same candidates (two sessions', 'killed at each trial boundary'],
    ))

  test('an optimizer whose encodeState drops part of the state fails the round trip', () =>
    expectCaught(
      (runner) =>
        describeOptimizer(
          'lossy',
          brokenStepper((inner) => ({
            encodeState: (s) => inner.encodeState({ ...s, asked: 0 }),
            step: async (s, ctx) => {
              const r = await inner.step(s, ctx)
              if (r.kind !== 'continue') return r
              const candidate = { ...(r.trial.candidate as object), asked: s.asked }
              return { ...r, trial: { ...r.trial, candidate } }
            },
          })),
          { runner, trials: 4 },
        ),
      'state round trip',
    ))
})
