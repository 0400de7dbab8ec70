import type { Db } from './db.js'
import type { HeadCache } from './head-cache.js'

/** What the operations of a store share. */
export interface StoreContext {
  readonly db: Db
  /** Random id of this store instance, recorded on every item it writes. */
  readonly writer: string
  readonly heads: HeadCache
  /** Unconfirmed records a head carries before they are written out as trial items (`DynamoDbStoreOptions.inlineTrials`). */
  readonly inlineTrials: number
  /** Registers a write that runs on after the operation that started it resolved (`close` waits for it). */
  inFlight(write: Promise<unknown>): void
  /** Resolves once the table was checked (first use); throws `TableSchemaError` or when closed. */
  ready(): Promise<void>
}
