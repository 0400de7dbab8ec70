import type { SessionListing } from '../checkpoint/types.js'
import { InvalidInputError } from '../errors.js'
import type { ListFilter, ListPage } from './contract.js'

/** True when a listing passes `filter`'s status, optimizer and updatedSince conditions. */
export function matchesFilter(listing: SessionListing, filter: ListFilter): boolean {
  if (filter.status !== undefined) {
    const wanted = Array.isArray(filter.status) ? filter.status : [filter.status]
    if (!wanted.includes(listing.status)) return false
  }
  if (filter.optimizer !== undefined && listing.optimizer !== filter.optimizer) return false
  if (filter.updatedSince !== undefined && listing.updatedAt < filter.updatedSince) return false
  return true
}

/** Checks `limit` and `cursor`; throws `InvalidInputError`. */
export function checkPaging(filter: ListFilter): void {
  if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 1))
    throw new InvalidInputError(`must be a positive integer, got ${filter.limit}`, 'limit')
  if (filter.cursor !== undefined && typeof filter.cursor !== 'string') throw new InvalidInputError('must be a string', 'cursor')
}

/** Pages listings already sorted by session id: those after `cursor`, at most `limit`. */
export function pageListings(sorted: SessionListing[], filter: ListFilter): ListPage {
  checkPaging(filter)
  const after = filter.cursor
  const rest = after === undefined ? sorted : sorted.filter((l) => l.sessionId > after)
  if (filter.limit === undefined || rest.length <= filter.limit) return { items: rest }
  const items = rest.slice(0, filter.limit)
  return { items, cursor: (items[items.length - 1] as SessionListing).sessionId }
}
