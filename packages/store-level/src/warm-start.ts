import { channels } from '@cairn/core'
import {
  decodeWarmStartEntry,
  encodeWarmStartEntry,
  latestWarmStartEntry,
  rankWarmStartEntries,
  selectEvictions,
  newWarmStartEntry,
} from '@cairn/core/store-kit'
import type { EvictOptions, EvictionReport, LookupOptions, WarmStartEntry, WarmStartEntryInput } from '@cairn/core'
import { invalidInput } from './errors.js'
import type { Sublevel } from './database.js'
import { warmKey, warmKeyRange } from './keys.js'

/**
 * Warm-start entries in the `warm` sublevel, one value per (key, runId). Callers check the
 * arguments (store-kit's `checkLookup`, `checkEvictOptions`) and serialize these operations
 * (the store runs them under one mutex).
 */
export class WarmStartEntries {
  constructor(
    private readonly warm: Sublevel<Uint8Array>,
    private readonly sync: boolean,
  ) {}

  async save(key: string, runId: string, input: WarmStartEntryInput): Promise<void> {
    const entry = newWarmStartEntry(key, runId, input)
    if (LONE_SURROGATE.test(key)) throw invalidInput('must be well-formed UTF-16 (no lone surrogates)', 'key')
    if (LONE_SURROGATE.test(runId)) throw invalidInput('must be well-formed UTF-16 (no lone surrogates)', 'runId')
    await this.warm.put(warmKey(key, runId), encodeWarmStartEntry(entry), { sync: this.sync })
  }

  async lookup(key: string, options: LookupOptions): Promise<WarmStartEntry | null> {
    return this.touch(rankWarmStartEntries(await this.entriesOf(key), options))
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    return this.touch(latestWarmStartEntry(await this.entriesOf(key)))
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    const all = await this.decodeRange({})
    const gone = selectEvictions(all, options)
    if (gone.length > 0)
      await this.warm.batch(
        gone.map((e) => ({ type: 'del' as const, key: warmKey(e.key, e.runId) })),
        { sync: this.sync },
      )
    return { evicted: gone.length, bytesFreed: gone.reduce((n, e) => n + e.sizeBytes, 0) }
  }

  /** Test hook: replaces the stored bytes of one entry. */
  async putRaw(key: string, runId: string, bytes: Uint8Array): Promise<void> {
    await this.warm.put(warmKey(key, runId), bytes, { sync: this.sync })
  }

  private entriesOf(key: string): Promise<WarmStartEntry[]> {
    return this.decodeRange(warmKeyRange(key))
  }

  /** Decodes the entries of a key range; a corrupt one is deleted and reported on `cairn:store:corrupt`. */
  private async decodeRange(range: { gte?: string; lt?: string }): Promise<WarmStartEntry[]> {
    const out: WarmStartEntry[] = []
    const corrupt: Array<{ dbKey: string; error: unknown }> = []
    for await (const [dbKey, bytes] of this.warm.iterator(range)) {
      try {
        out.push(decodeWarmStartEntry(bytes, `warm-start entry ${JSON.stringify(dbKey)}`))
      } catch (error) {
        corrupt.push({ dbKey, error })
      }
    }
    if (corrupt.length > 0) {
      await this.warm.batch(
        corrupt.map((c) => ({ type: 'del' as const, key: c.dbKey })),
        { sync: this.sync },
      )
      for (const c of corrupt) {
        const [key, runId] = splitWarmKey(c.dbKey)
        if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ key, runId, error: c.error })
      }
    }
    return out
  }

  /** Refreshes the access time of the entry a lookup returns (not fsynced: losing it costs nothing). */
  private async touch(entry: WarmStartEntry | null): Promise<WarmStartEntry | null> {
    if (!entry) return null
    const touched: WarmStartEntry = { ...entry, lastAccessedAt: Date.now() }
    const bytes = encodeWarmStartEntry(touched)
    await this.warm.put(warmKey(entry.key, entry.runId), bytes, { sync: false })
    return { ...touched, sizeBytes: bytes.length }
  }
}

// Keys are stored as UTF-8; a lone surrogate would be replaced and two ids could collide.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function splitWarmKey(dbKey: string): [string, string] {
  const unescapeKey = (s: string) => s.replace(/\u0001([\u0001\u0002])/g, (_, c: string) => (c === '\u0001' ? '\u0000' : '\u0001'))
  const at = dbKey.indexOf('\u0000')
  return at < 0 ? [unescapeKey(dbKey), ''] : [unescapeKey(dbKey.slice(0, at)), unescapeKey(dbKey.slice(at + 1))]
}
