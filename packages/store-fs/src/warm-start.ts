import { readdir, rmdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { CheckpointCorruptError, TimeoutError, channels } from '@cairn/core'
import {
  decodeWarmStartEntry,
  encodeWarmStartEntry,
  latestWarmStartEntry,
  rankWarmStartEntries,
  selectEvictions,
  newWarmStartEntry,
  checkEvictOptions,
  checkLookup,
} from '@cairn/core/store-kit'
import type { EvictOptions, EvictionReport, LookupOptions, WarmStartEntry, WarmStartEntryInput } from '@cairn/core'
import { ensureDir, errorCode, isMissing, readIfExists, unlinkIfExists, writeFileAtomic } from './io.js'
import { ENTRY_SUFFIX, PKG, decodePlainName, encodeName, type Layout } from './layout.js'
import { withLock, type LockContext, type LockOptions } from './lock.js'

/** What the warm-start half of the store needs from the store. */
export interface WarmStartContext {
  layout: Layout
  durable: boolean
  lock: Pick<LockOptions, 'staleMs' | 'timeoutMs'>
  assertOpen(): void
}

interface Found {
  entry: WarmStartEntry
  path: string
}

/**
 * Warm-start entries: one file per (key, runId) at `warm-start/<key>/<runId>.entry`, each a
 * core warm-start envelope (checksummed). Writers of one key serialize on a per-key lock;
 * a corrupt entry is removed and reported on `cairn:store:corrupt`, never returned.
 */
export class FsWarmStart {
  constructor(private readonly ctx: WarmStartContext) {}

  async saveOverwrite(key: string, runId: string, input: WarmStartEntryInput): Promise<void> {
    this.ctx.assertOpen()
    const entry = newWarmStartEntry(key, runId, input)
    const bytes = encodeWarmStartEntry(entry)
    const { layout, durable } = this.ctx
    await this.locked(encodeName(key), async ({ staging }) => {
      await ensureDir(layout.warmStartKeyDir(key), durable)
      await writeFileAtomic(layout.warmStartEntry(key, runId), bytes, durable, staging)
    })
  }

  async lookup(key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
    this.ctx.assertOpen()
    checkLookup(key, options)
    return this.touch(rankWarmStartEntries(await this.entries(key), options))
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    this.ctx.assertOpen()
    checkLookup(key)
    return this.touch(latestWarmStartEntry(await this.entries(key)))
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    this.ctx.assertOpen()
    checkEvictOptions(options)
    const { layout } = this.ctx
    const all: WarmStartEntry[] = []
    for (const dirName of await listDir(layout.warmStart)) all.push(...(await this.readKeyDir(join(layout.warmStart, dirName), undefined)))
    let evicted = 0
    let bytesFreed = 0
    for (const e of selectEvictions(all, options)) {
      await this.locked(encodeName(e.key), async () => {
        const path = layout.warmStartEntry(e.key, e.runId)
        const now = await this.readEntry(path, e.key, e.runId)
        // Saved or read again since it was selected: it is no longer a candidate.
        if (!now || now.updatedAt !== e.updatedAt || now.lastAccessedAt !== e.lastAccessedAt) return
        if (await unlinkIfExists(path)) {
          evicted++
          bytesFreed += e.sizeBytes
        }
        await rmdir(layout.warmStartKeyDir(e.key)).catch(() => {})
      })
    }
    return { evicted, bytesFreed }
  }

  /** The decodable entries of `key`; corrupt ones are removed and reported. */
  private entries(key: string): Promise<WarmStartEntry[]> {
    return this.readKeyDir(this.ctx.layout.warmStartKeyDir(key), key)
  }

  private async readKeyDir(dir: string, key: string | undefined): Promise<WarmStartEntry[]> {
    const out: WarmStartEntry[] = []
    for (const name of await listDir(dir)) {
      if (!name.endsWith(ENTRY_SUFFIX)) continue
      const found = await this.decodeFile(join(dir, name), key)
      if (found) out.push(found.entry)
    }
    return out
  }

  private async decodeFile(path: string, key: string | undefined): Promise<Found | undefined> {
    const bytes = await readIfExists(path)
    if (!bytes) return undefined
    try {
      return { entry: decodeChecked(bytes, path, key), path }
    } catch (err) {
      await this.dropCorrupt(path, bytes, key, err)
      return undefined
    }
  }

  /** Reads one entry (under its key's lock); undefined when absent or corrupt. */
  private async readEntry(path: string, key: string, runId: string): Promise<WarmStartEntry | undefined> {
    const bytes = await readIfExists(path)
    if (!bytes) return undefined
    try {
      const entry = decodeChecked(bytes, path, key)
      return entry.runId === runId ? entry : undefined
    } catch {
      return undefined
    }
  }

  private async dropCorrupt(path: string, bytes: Uint8Array, key: string | undefined, error: unknown): Promise<void> {
    const fileName = basename(path, ENTRY_SUFFIX)
    const keyName = basename(dirname(path))
    await this.locked(keyName, async () => {
      const now = await readIfExists(path)
      // Only the bytes found corrupt: a save that replaced them since is kept.
      if (now && Buffer.compare(now, bytes) === 0) await unlinkIfExists(path)
    })
    if (channels.storeCorrupt.hasSubscribers)
      channels.storeCorrupt.publish({
        key: key ?? decodePlainName(keyName) ?? keyName,
        runId: decodePlainName(fileName) ?? fileName,
        path,
        error,
      })
  }

  private async touch(entry: WarmStartEntry | null): Promise<WarmStartEntry | null> {
    if (!entry) return null
    const touched: WarmStartEntry = { ...entry, lastAccessedAt: Date.now() }
    const { layout, durable } = this.ctx
    await this.locked(encodeName(entry.key), async ({ staging }) => {
      const path = layout.warmStartEntry(entry.key, entry.runId)
      const now = await this.readEntry(path, entry.key, entry.runId)
      // Saved again (or evicted) in between: leave the newer state alone.
      if (!now || now.updatedAt !== entry.updatedAt) return
      await writeFileAtomic(
        path,
        encodeWarmStartEntry({ ...now, lastAccessedAt: Math.max(now.lastAccessedAt, touched.lastAccessedAt) }),
        durable,
        staging,
      )
    })
    return touched
  }

  /** Runs `fn` in the critical section of one key (`keyName`: its encoded directory name). */
  private locked<T>(keyName: string, fn: (ctx: LockContext) => Promise<T>): Promise<T> {
    const what = `warm-start key directory ${keyName}`
    return withLock(
      this.ctx.layout.warmStartLock(keyName),
      {
        ...this.ctx.lock,
        what,
        lost: (cause) => {
          const err = new TimeoutError(`${PKG} holding the lock on ${what}`, this.ctx.lock.staleMs)
          err.message +=
            ': this process stalled while it held it and another process took it over; the change may not have been made' +
            (cause instanceof Error ? ` (${cause.message})` : '')
          return err
        },
      },
      fn,
    )
  }
}

function decodeChecked(bytes: Uint8Array, path: string, key: string | undefined): WarmStartEntry {
  const what = `${PKG} warm-start entry ${path}`
  const entry = decodeWarmStartEntry(bytes, what)
  // An entry must sit where its own key and runId put it (a copied or renamed file is not trusted).
  const expected = `${encodeName(entry.runId)}${ENTRY_SUFFIX}`
  if ((key !== undefined && entry.key !== key) || basename(path) !== expected || basename(dirname(path)) !== encodeName(entry.key))
    throw new CheckpointCorruptError(what, `it is misplaced: it holds key ${JSON.stringify(entry.key)}, run ${JSON.stringify(entry.runId)}`)
  return entry
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort()
  } catch (err) {
    if (isMissing(err) || errorCode(err) === 'ENOTDIR') return []
    throw err
  }
}
