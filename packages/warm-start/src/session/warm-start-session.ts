import { randomUUID } from 'node:crypto'
import { canonicalJson, defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import type { Direction, WarmStartEntry, WarmStartEntryInput, WarmStartKind, WarmStartPayload, WarmStartStore } from '@cairn/core'
import { checkBudget, withWarmStartBudget, type WarmStartBudget } from '../store/budget.js'
import { publishWarmStart, warmStartChannels, type WarmStartOperation } from '../telemetry/channels.js'
import { PKG, invalidInput } from '../util/errors.js'

/** Default minimum time between two non-improving checkpoint writes. */
export const DEFAULT_MIN_INTERVAL_MS = 2000

/** Options of `WarmStartSession.open`. */
export interface WarmStartSessionOptions {
  /** This run's id: its entry is saved under (key, runId), each save overwriting the last. Default: a random UUID. */
  runId?: string
  /** Version of the producing code. Saved with entries; on load, a `final` of another version ranks as a checkpoint. */
  producerVersion?: string
  /**
   * Minimum time between writes that do not improve the objective. Default 2,000 ms; 0 disables
   * the limit; at most 2^31 − 1 ms (like every duration option), more is refused.
   */
  minIntervalMs?: number
  /** Which way the objective improves. Default `minimize`. */
  direction?: Direction
  /** The clock (epoch ms) the rate limit (and the budget, unless it has its own) reads. Default `Date.now` (tests inject their own). */
  now?: () => number
  /**
   * Keeps the store within a size budget and TTL without calling `evict()`: the session's
   * writes go through `withWarmStartBudget(store, budget)`, so a write evicts when
   * `budget.everyMs` (default 60 s) passed since the last eviction.
   */
  budget?: WarmStartBudget
}

/** The keys `WarmStartSession.open` takes, and their checks (unknown keys refused). */
const SessionOptionsSchema: OptionsSchema<WarmStartSessionOptions> = defineOptions<WarmStartSessionOptions>(
  `${PKG} WarmStartSession.open`,
  {
    runId: k.optional(k.any()),
    producerVersion: k.optional(k.string(0)),
    minIntervalMs: k.optional(k.durationMs({ zero: true })),
    direction: k.optional(k.oneOf(['minimize', 'maximize'])),
    now: k.optional(k.fn('must be a function returning epoch ms')),
    // Checked by checkBudget, which names the fields inside.
    budget: k.optional(k.any()),
  },
  { error: (message, field) => invalidInput(message, field ?? 'options') },
)

/** Where a loaded entry came from: the store under this session's key, or a seed handed to `preload`. */
export type WarmStartSource = 'exact' | 'preloaded'

/** A loaded entry and its source. A `preloaded` entry is a seed from a related run, never a finished fit. */
export interface LoadedWarmStart {
  source: WarmStartSource
  entry: WarmStartEntry
}

/** What this session last wrote. */
export interface WarmStartWrite {
  kind: WarmStartKind
  objective: number | null
  iteration: number
  /** Reading of the session's clock at the write. */
  at: number
}

/**
 * One run's view of a warm-start key: load what earlier runs left (or a seed from a related
 * run), and leave checkpoints and a final result for later runs.
 *
 * - `tryLoad` returns a `preload`ed seed first, once (it is consumed), then the store's best
 *   entry for the key (per `rankWarmStartEntries`: a `final` beats checkpoints, the newest
 *   `final` wins, else the best-objective checkpoint, ties to the newest; a `final` of another
 *   `producerVersion` counts as a checkpoint). The `...WithSource` variants say which it was.
 * - `peekLoad` answers the same without consuming the seed.
 * - `checkpoint` is rate-limited (`minIntervalMs`), except that a strict improvement over the
 *   best objective this session wrote so far always writes; `finalize` always writes, as `final`.
 * - Payloads are JSON or bytes (`Uint8Array`), returned exactly as saved.
 * - A warm start is an optimization, never a reason to fail a run: a store failure makes
 *   `checkpoint` and `finalize` resolve to `false` and a load to `null`, and is reported on
 *   the `cairn:warm-start:error` diagnostics channel (`WarmStartErrorEvent`). Bad arguments
 *   still throw `InvalidInputError`.
 *
 * Writes of one session are applied in call order. Different runs never overwrite each
 * other: each owns the (key, runId) entry.
 */
export class WarmStartSession {
  /** The warm-start key (usually a `Fingerprint`, or one of `warmStartKeys(...)`). */
  readonly key: string
  readonly runId: string
  readonly direction: Direction
  readonly producerVersion: string | undefined
  readonly minIntervalMs: number
  readonly #store: WarmStartStore
  readonly #now: () => number
  #seed: WarmStartEntry | null = null
  #last: WarmStartWrite | null = null
  /** The best objective among this session's successful writes. */
  #best: number | null = null
  #finalized = false
  #queue: Promise<unknown> = Promise.resolve()

  private constructor(
    store: WarmStartStore,
    key: string,
    options: Required<Omit<WarmStartSessionOptions, 'producerVersion' | 'budget'>> & { producerVersion: string | undefined },
  ) {
    this.#store = store
    this.key = key
    this.runId = options.runId
    this.direction = options.direction
    this.producerVersion = options.producerVersion
    this.minIntervalMs = options.minIntervalMs
    this.#now = options.now
  }

  /** Opens a session on `key` of `store`. Throws `InvalidInputError` for a bad store, key or option. */
  static async open(store: WarmStartStore, key: string, options: WarmStartSessionOptions = {}): Promise<WarmStartSession> {
    if (
      store === null ||
      typeof store !== 'object' ||
      typeof store.saveOverwrite !== 'function' ||
      typeof store.lookup !== 'function' ||
      typeof store.lookupLatest !== 'function'
    )
      throw invalidInput('must be a WarmStartStore (saveOverwrite, lookup, lookupLatest)', 'store')
    checkId(key, 'key')
    SessionOptionsSchema.check(options, 'options')
    const runId = options.runId ?? randomUUID()
    checkId(runId, 'options.runId')
    const { producerVersion, direction = 'minimize', minIntervalMs = DEFAULT_MIN_INTERVAL_MS, now = Date.now } = options
    if (options.budget !== undefined) {
      if (typeof store.evict !== 'function') throw invalidInput('has no evict(), so options.budget cannot be applied', 'store')
      const budget = checkBudget(options.budget, 'options.budget', `${PKG} WarmStartSession.open`)
      store = withWarmStartBudget(store, { ...budget, now: budget.now ?? now })
    }
    return new WarmStartSession(store, key, { runId, producerVersion, direction, minIntervalMs, now })
  }

  /** What this session last wrote, or null. */
  get lastWrite(): WarmStartWrite | null {
    return this.#last ? { ...this.#last } : null
  }

  /** True once `finalize` wrote. */
  get finalized(): boolean {
    return this.#finalized
  }

  /**
   * Hands the session a seed from a related run (a near match, e.g. the seed key's
   * `lookupLatest`). The next `tryLoad` returns it, with source `preloaded`, before looking
   * at the store; `null` drops a pending seed. A later `preload` replaces an earlier one.
   */
  preload(entry: WarmStartEntry | null): void {
    if (entry === null) {
      this.#seed = null
      return
    }
    if (
      typeof entry !== 'object' ||
      (entry.kind !== 'final' && entry.kind !== 'checkpoint') ||
      !('payload' in entry) ||
      typeof entry.key !== 'string' ||
      typeof entry.runId !== 'string'
    )
      throw invalidInput('must be a WarmStartEntry (as returned by lookup or lookupLatest) or null', 'entry')
    this.#seed = entry
  }

  /**
   * The next entry to start from (a pending seed first, consumed; else the store's best for
   * the key), or null — also when the store fails (reported on `cairn:warm-start:error`).
   */
  async tryLoad(): Promise<WarmStartEntry | null> {
    return (await this.tryLoadWithSource())?.entry ?? null
  }

  /** Like `tryLoad`, with the entry's source. */
  async tryLoadWithSource(): Promise<LoadedWarmStart | null> {
    const seed = this.#seed
    if (seed) {
      this.#seed = null
      return { source: 'preloaded', entry: seed }
    }
    return this.#exact()
  }

  /** What `tryLoad` would return, without consuming a pending seed. */
  async peekLoad(): Promise<WarmStartEntry | null> {
    return (await this.peekLoadWithSource())?.entry ?? null
  }

  /** Like `peekLoad`, with the entry's source. */
  async peekLoadWithSource(): Promise<LoadedWarmStart | null> {
    if (this.#seed) return { source: 'preloaded', entry: this.#seed }
    return this.#exact()
  }

  /**
   * Saves an intermediate state (JSON or a `Uint8Array`). Writes when nothing was written
   * yet, when `objective` is a strict improvement over the best objective this session wrote
   * so far (a number beats null), or when `minIntervalMs` passed since the last write;
   * otherwise the write is suppressed and the entry already stored stays. Resolves to whether
   * it wrote: `false` also when the store failed (reported on `cairn:warm-start:error`; the
   * next checkpoint tries again). Throws after `finalize` (a checkpoint would demote the
   * final entry) and for a payload that is neither JSON nor bytes.
   */
  async checkpoint(payload: WarmStartPayload, objective: number | null, iteration: number): Promise<boolean> {
    checkWrite(objective, iteration)
    if (this.#finalized) throw invalidInput('the session was finalized; a checkpoint would replace its final entry', 'checkpoint')
    return this.#serial(async () => {
      if (this.#finalized) throw invalidInput('the session was finalized; a checkpoint would replace its final entry', 'checkpoint')
      const now = this.#now()
      const last = this.#last
      if (last && !this.#improves(objective, this.#best) && now - last.at < this.minIntervalMs) return false
      checkPayload(payload)
      return this.#save('checkpoint', payload, objective, iteration, now)
    })
  }

  /**
   * Saves the run's final result (kind `final`), with no rate limit. May be called again to
   * replace it. Resolves to whether it wrote: `false` when the store failed (reported on
   * `cairn:warm-start:error`; `finalized` stays false, so the run may try again).
   */
  async finalize(payload: WarmStartPayload, objective: number | null, iteration: number): Promise<boolean> {
    checkWrite(objective, iteration)
    checkPayload(payload)
    return this.#serial(async () => {
      const wrote = await this.#save('final', payload, objective, iteration, this.#now())
      if (wrote) this.#finalized = true
      return wrote
    })
  }

  async #exact(): Promise<LoadedWarmStart | null> {
    try {
      const entry = await this.#store.lookup(this.key, this.producerVersion !== undefined ? { producerVersion: this.producerVersion } : {})
      return entry ? { source: 'exact', entry } : null
    } catch (error) {
      this.#report('load', error)
      return null
    }
  }

  #improves(objective: number | null, previous: number | null): boolean {
    if (objective === null) return false
    if (previous === null) return true
    return this.direction === 'maximize' ? objective > previous : objective < previous
  }

  /** Writes the entry; on a store failure reports it and resolves to false. */
  async #save(kind: WarmStartKind, payload: WarmStartPayload, objective: number | null, iteration: number, at: number): Promise<boolean> {
    const input: WarmStartEntryInput = { kind, objective, direction: this.direction, iteration, payload }
    if (this.producerVersion !== undefined) input.producerVersion = this.producerVersion
    try {
      await this.#store.saveOverwrite(this.key, this.runId, input)
    } catch (error) {
      this.#report(kind === 'final' ? 'finalize' : 'checkpoint', error)
      return false
    }
    this.#last = { kind, objective, iteration, at }
    if (this.#improves(objective, this.#best)) this.#best = objective
    return true
  }

  #report(operation: WarmStartOperation, error: unknown): void {
    publishWarmStart(warmStartChannels.error, { operation, key: this.key, runId: this.runId, error })
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task)
    this.#queue = run.catch(() => undefined)
    return run
  }
}

function checkId(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256)
    throw invalidInput(
      `must be a non-empty string of at most 256 characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`,
      field,
    )
}

/** A payload must be bytes or JSON (what the stores can give back exactly). */
function checkPayload(payload: unknown): void {
  if (payload instanceof Uint8Array) return
  try {
    canonicalJson(payload)
  } catch (err) {
    throw invalidInput(`must be JSON or a Uint8Array: ${(err as Error).message}`, 'payload')
  }
}

function checkWrite(objective: unknown, iteration: unknown): void {
  if (objective !== null && (typeof objective !== 'number' || !Number.isFinite(objective)))
    throw invalidInput(`must be a finite number or null, got ${String(objective)}`, 'objective')
  if (typeof iteration !== 'number' || !Number.isFinite(iteration) || iteration < 0)
    throw invalidInput(`must be a finite number ≥ 0, got ${String(iteration)}`, 'iteration')
}
