import { invalidInput } from './errors.js'
import type { LocalLevelStore } from './local-store.js'

/** How the fault hooks of `@cairn/store-level/testing` reach the database a `LevelStore` has open. */
const localAccess = new WeakMap<object, () => Promise<LocalLevelStore>>()

/** Called by each `LevelStore` as it is built: `open` opens the database in this process if need be. */
export function registerLocalAccess(store: object, open: () => Promise<LocalLevelStore>): void {
  localAccess.set(store, open)
}

/** The store working on the database in this process, which is opened (taken over) if need be. For `@cairn/store-level/testing` only. */
export function localStoreOf(store: object): Promise<LocalLevelStore> {
  const open = localAccess.get(store)
  if (!open) return Promise.reject(invalidInput('must be a LevelStore from createLevelStore()', 'store'))
  return open()
}
