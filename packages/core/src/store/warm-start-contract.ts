import type { Direction } from '../checkpoint/types.js'
import type { Json } from '../json.js'

/** `final`: a finished run's result. `checkpoint`: an intermediate best, usable as a seed. */
export type WarmStartKind = 'final' | 'checkpoint'

/**
 * What an entry carries for the next run: JSON, or bytes (a serialized model, say), stored
 * and returned exactly (a `Uint8Array` comes back as a `Uint8Array` with the same bytes).
 */
export type WarmStartPayload = Json | Uint8Array

/** What a producer saves. */
export interface WarmStartEntryInput {
  kind: WarmStartKind
  /** The run's objective at this point (null when none yet). */
  objective: number | null
  direction?: Direction
  iteration: number
  payload: WarmStartPayload
  /** Version of the code that produced the entry; a `final` from another version ranks as a `checkpoint`. */
  producerVersion?: string
}

/** A stored warm-start entry. One per (key, runId): saving again overwrites it. */
export interface WarmStartEntry extends Required<Omit<WarmStartEntryInput, 'producerVersion'>> {
  key: string
  runId: string
  producerVersion?: string
  /** Epoch ms of the last save. */
  updatedAt: number
  /** Epoch ms of the last save or lookup that returned it; TTL runs from here. */
  lastAccessedAt: number
  /** Encoded size in bytes, for the size budget. */
  sizeBytes: number
}

/** Options of `lookup`. */
export interface LookupOptions {
  /** The reader's producer version: a `final` of another version ranks as a `checkpoint`. */
  producerVersion?: string
}

/** Eviction limits: entries not accessed within `ttlMs`, then least recently used past `maxBytes`. */
export interface EvictOptions {
  maxBytes?: number
  ttlMs?: number
  /** Epoch ms used as "now" (tests). */
  now?: number
}

/** What an eviction removed. */
export interface EvictionReport {
  evicted: number
  bytesFreed: number
}

/**
 * Warm-start entries keyed by fingerprint. Every implementation checksums entries, drops a
 * corrupt one (and reports it on `cairn:store:corrupt`) instead of returning it, and passes
 * `@cairn/testkit`'s `describeWarmStartStore`.
 */
export interface WarmStartStore {
  /** The version of this contract the store implements (`'v1'`); the session driver refuses a version it does not know. */
  readonly specificationVersion: 'v1'
  saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void>
  /** The best entry for `key` (see `rankWarmStartEntries`), or null. Refreshes its access time. */
  lookup(key: string, options?: LookupOptions): Promise<WarmStartEntry | null>
  /** The most recently saved entry for `key`, or null. Refreshes its access time. */
  lookupLatest(key: string): Promise<WarmStartEntry | null>
  /** Applies TTL and size budget; returns what was removed. */
  evict(options: EvictOptions): Promise<EvictionReport>
}

/**
 * Picks the best entry: `final` beats `checkpoint`; among finals the newest; among
 * checkpoints the best objective (by each entry's direction), ties to the newest.
 * A `final` whose `producerVersion` differs from `options.producerVersion` counts as a checkpoint.
 */
export function rankWarmStartEntries(entries: readonly WarmStartEntry[], options: LookupOptions = {}): WarmStartEntry | null {
  let best: WarmStartEntry | null = null
  for (const e of entries) if (!best || beats(e, best, options)) best = e
  return best
}

function effectiveKind(e: WarmStartEntry, options: LookupOptions): WarmStartKind {
  if (e.kind === 'final' && options.producerVersion !== undefined && e.producerVersion !== options.producerVersion) return 'checkpoint'
  return e.kind
}

function beats(a: WarmStartEntry, b: WarmStartEntry, options: LookupOptions): boolean {
  const ka = effectiveKind(a, options)
  const kb = effectiveKind(b, options)
  if (ka !== kb) return ka === 'final'
  if (ka === 'checkpoint') {
    const oa = a.objective
    const ob = b.objective
    if (oa !== ob) {
      if (oa === null) return false
      if (ob === null) return true
      return a.direction === 'maximize' ? oa > ob : oa < ob
    }
  }
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt
  return a.runId > b.runId
}

/** The entry saved last (ties broken by runId so the answer is stable). */
export function latestWarmStartEntry(entries: readonly WarmStartEntry[]): WarmStartEntry | null {
  let best: WarmStartEntry | null = null
  for (const e of entries) {
    if (!best || e.updatedAt > best.updatedAt || (e.updatedAt === best.updatedAt && e.runId > best.runId)) best = e
  }
  return best
}

/** Ids of the entries an eviction removes: expired first, then least recently used until under budget. */
export function selectEvictions(entries: readonly WarmStartEntry[], options: EvictOptions): WarmStartEntry[] {
  const now = options.now ?? Date.now()
  const out: WarmStartEntry[] = []
  const kept: WarmStartEntry[] = []
  for (const e of entries) {
    if (options.ttlMs !== undefined && now - e.lastAccessedAt > options.ttlMs) out.push(e)
    else kept.push(e)
  }
  if (options.maxBytes !== undefined) {
    kept.sort((a, b) => a.lastAccessedAt - b.lastAccessedAt || (a.key + a.runId < b.key + b.runId ? -1 : 1))
    let total = kept.reduce((n, e) => n + e.sizeBytes, 0)
    for (const e of kept) {
      if (total <= options.maxBytes) break
      out.push(e)
      total -= e.sizeBytes
    }
  }
  return out
}
