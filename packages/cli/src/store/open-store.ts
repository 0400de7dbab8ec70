import { existsSync } from 'node:fs'
import { createMemoryStore, type CheckpointStore, type WarmStartStore } from '@cairn/core'
import { StoreLockedError } from '../errors.js'
import { importOptional } from '../lazy-import.js'
import { formatStoreSpec, type StoreSpec } from './uri.js'

/** A store as the composition root uses it: a checkpoint store, usually a warm-start store too. */
export type CairnStore = CheckpointStore & Partial<WarmStartStore>

/**
 * Opens the store a spec names. The store package is imported only now (`@cairn/store-fs`,
 * `@cairn/store-level` or `@cairn/store-dynamodb`), so only the one you use must be installed;
 * a missing one gives `MissingPackageError` naming it.
 *
 * A LevelDB store is opened at once with `shareReads`: when another process (a `cairn run` in
 * another terminal) holds the database, the store reads through that process, so `ls`, `show`,
 * `report`, `pause`, `cancel` and the dashboard work beside the run, and a write (`run`,
 * `resume`, `rm`) fails with `LevelLockedError` naming the process. A holder that does not
 * answer (one that opened the database with `serve: false`) fails here with `StoreLockedError`.
 */
export async function openStore(spec: StoreSpec): Promise<CairnStore> {
  const uri = formatStoreSpec(spec)
  switch (spec.kind) {
    case 'memory':
      return createMemoryStore()
    case 'fs': {
      const { createFsStore } = await importOptional('@cairn/store-fs', `the store "${uri}"`, () => import('@cairn/store-fs'))
      return createFsStore({ dir: spec.dir })
    }
    case 'level': {
      const { createLevelStore, LevelLockedError } = await importOptional(
        '@cairn/store-level',
        `the store "${uri}"`,
        () => import('@cairn/store-level'),
      )
      const store = createLevelStore({ location: spec.location, shareReads: true })
      try {
        await store.open()
      } catch (err) {
        await store.close().catch(() => undefined)
        if (err instanceof LevelLockedError) throw new StoreLockedError(uri, { cause: err })
        throw err
      }
      return store
    }
    case 'dynamodb': {
      const { createDynamoDbStore } = await importOptional(
        '@cairn/store-dynamodb',
        `the store "${uri}"`,
        () => import('@cairn/store-dynamodb'),
      )
      const clientConfig: { region?: string; endpoint?: string } = {}
      if (spec.region !== undefined) clientConfig.region = spec.region
      if (spec.endpoint !== undefined) clientConfig.endpoint = spec.endpoint
      return createDynamoDbStore({ tableName: spec.tableName, clientConfig })
    }
  }
}

/**
 * False when the spec names a LevelDB directory that does not exist yet (`level:`, which opening
 * would create): read-only commands then see an empty store instead. An `fs:` store is always
 * opened: opening it checks its path (a file or a device is refused) and reads create nothing.
 */
export function storeExists(spec: StoreSpec): boolean {
  if (spec.kind === 'level') return existsSync(spec.location)
  return true
}

/** The store as a warm-start store when it is one (it can look up and save warm-start entries), else undefined. */
export function warmStartStore(store: CairnStore): WarmStartStore | undefined {
  return typeof store.lookup === 'function' && typeof store.saveOverwrite === 'function' ? (store as WarmStartStore) : undefined
}
