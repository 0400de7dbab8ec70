import { defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import type { EvictionReport, EvictOptions, LookupOptions, WarmStartEntry, WarmStartEntryInput, WarmStartStore } from '@cairn/core'
import { publishWarmStart, warmStartChannels } from '../telemetry/channels.js'
import { PKG, invalidInput } from '../util/errors.js'

/** Default minimum time between two automatic evictions. */
export const DEFAULT_EVICT_EVERY_MS = 60_000

/** The size budget and TTL a store is held to, and how often they are applied. */
export interface WarmStartBudget {
  /** Least recently used entries are evicted while the store holds more than this many bytes. */
  maxBytes?: number
  /** Entries neither saved nor looked up for this long are evicted. */
  ttlMs?: number
  /**
   * At most one eviction per this many ms: the first save evicts, then the first save after
   * each interval. Default 60,000; 0 evicts after every save.
   */
  everyMs?: number
  /** The clock (epoch ms) for the interval and for TTL ages. Default `Date.now`. */
  now?: () => number
}

/** A `WarmStartStore` that applies its budget by itself (see `withWarmStartBudget`). */
export interface BudgetedWarmStartStore extends WarmStartStore {
  /** The store underneath. */
  readonly inner: WarmStartStore
  /** The budget, with defaults applied. */
  readonly budget: Readonly<Required<Omit<WarmStartBudget, 'now' | 'maxBytes' | 'ttlMs'>> & Pick<WarmStartBudget, 'maxBytes' | 'ttlMs'>>
}

/**
 * Wraps a warm-start store so that its size budget and TTL are applied without anyone calling
 * `evict()`: after a successful `saveOverwrite`, when `everyMs` passed since the last eviction
 * started (or none ran yet), the save runs `evict({ maxBytes, ttlMs })` before it resolves.
 * An eviction that fails does not fail the save: it is reported on `cairn:warm-start:error`
 * (operation `evict`) and tried again once the interval passed. Every eviction is reported on
 * `cairn:warm-start:evict`. Reads and explicit `evict()` calls pass straight through.
 *
 * Give the budget room for the largest entry: one entry bigger than `maxBytes` is evicted as
 * soon as it is written.
 *
 * @example
 * ```ts
 * const store = withWarmStartBudget(createFsStore({ dir: '.cairn' }), { maxBytes: 64 * 1024 ** 2, ttlMs: 30 * 86_400_000 })
 * await startSession({ ..., warmStart: { store } })
 * ```
 */
export function withWarmStartBudget(store: WarmStartStore, budget: WarmStartBudget): BudgetedWarmStartStore {
  if (store === null || typeof store !== 'object' || typeof store.evict !== 'function' || typeof store.saveOverwrite !== 'function')
    throw invalidInput('must be a WarmStartStore (saveOverwrite, lookup, lookupLatest, evict)', 'store')
  return new Budgeted(store, checkBudget(budget, 'budget'))
}

/** The keys a budget takes, and their checks (unknown keys refused, naming the nearest one). */
const BudgetSchema: OptionsSchema<WarmStartBudget> = defineOptions<WarmStartBudget>(
  `${PKG} budget`,
  {
    // An integer, as every store's `evict` takes it.
    maxBytes: k.optional(k.integer(0)),
    ttlMs: k.optional(k.number(0, Number.MAX_SAFE_INTEGER)),
    everyMs: k.optional(k.number(0, Number.MAX_SAFE_INTEGER)),
    now: k.optional(k.fn('must be a function returning epoch ms')),
  },
  { error: (message, field) => invalidInput(message, field ?? 'budget') },
)

/**
 * Validates a budget; throws `InvalidInputError` naming `field.<key>` (`UnknownOptionError` for
 * a key a budget does not have). `caller` is who takes it, as messages name it.
 */
export function checkBudget(budget: WarmStartBudget, field: string, caller = `${PKG} withWarmStartBudget`): WarmStartBudget {
  BudgetSchema.check(budget, field, caller)
  if (budget.maxBytes === undefined && budget.ttlMs === undefined) throw invalidInput('needs maxBytes, ttlMs or both', field)
  return budget
}

class Budgeted implements BudgetedWarmStartStore {
  readonly specificationVersion = 'v1' as const
  readonly budget: BudgetedWarmStartStore['budget']
  readonly #now: () => number
  #lastEviction = Number.NEGATIVE_INFINITY
  #evicting: Promise<void> | null = null

  constructor(
    readonly inner: WarmStartStore,
    budget: WarmStartBudget,
  ) {
    this.budget = {
      everyMs: budget.everyMs ?? DEFAULT_EVICT_EVERY_MS,
      ...(budget.maxBytes !== undefined ? { maxBytes: budget.maxBytes } : {}),
      ...(budget.ttlMs !== undefined ? { ttlMs: budget.ttlMs } : {}),
    }
    this.#now = budget.now ?? Date.now
  }

  async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    await this.inner.saveOverwrite(key, runId, entry)
    await this.#evictIfDue()
  }

  lookup(key: string, options?: LookupOptions): Promise<WarmStartEntry | null> {
    return this.inner.lookup(key, options)
  }

  lookupLatest(key: string): Promise<WarmStartEntry | null> {
    return this.inner.lookupLatest(key)
  }

  evict(options: EvictOptions): Promise<EvictionReport> {
    return this.inner.evict(options)
  }

  /** Runs one eviction when the interval passed; saves arriving meanwhile wait for it rather than start another. */
  #evictIfDue(): Promise<void> {
    if (this.#evicting) return this.#evicting
    const at = this.#now()
    if (at - this.#lastEviction < this.budget.everyMs) return Promise.resolve()
    this.#lastEviction = at
    const { maxBytes, ttlMs } = this.budget
    const options: EvictOptions = { now: at, ...(maxBytes !== undefined ? { maxBytes } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}) }
    const run = this.#evict(options, at).finally(() => {
      this.#evicting = null
    })
    this.#evicting = run
    return run
  }

  async #evict(options: EvictOptions, at: number): Promise<void> {
    try {
      const report = await this.inner.evict(options)
      publishWarmStart(warmStartChannels.evict, { ...report, at })
    } catch (error) {
      // Not retried before the interval passes again: a store that keeps failing is not hammered.
      publishWarmStart(warmStartChannels.error, { operation: 'evict', error })
    }
  }
}
