import type { Sublevel } from './database.js'
import { invalidInput } from './errors.js'

/** What the fault hooks of `@cairn/store-level/testing` reach under a store's API with. */
export interface FaultAccess {
  /** The `trial` sublevel (the database is opened if need be). */
  trials(): Promise<Sublevel<Uint8Array>>
  sync: boolean
  /** Runs `fn` under the session's mutex, as the store's own operations do. */
  exclusive<T>(sessionId: string, fn: () => Promise<T>): Promise<T>
}

/** Each store's fault access, kept outside the class so it is no part of its API. */
const faultAccess = new WeakMap<object, FaultAccess>()

/** Called by each store as it is built. */
export function registerFaultAccess(store: object, access: FaultAccess): void {
  faultAccess.set(store, access)
}

/** The fault access of a store (for `@cairn/store-level/testing` only). */
export function faultAccessOf(store: object): FaultAccess {
  const access = faultAccess.get(store)
  if (!access) throw invalidInput('must be a LevelStore from createLevelStore()', 'store')
  return access
}
