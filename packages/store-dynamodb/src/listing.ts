import { channels, type ListFilter, type ListPage, type SessionListing } from '@cairn/core'
import { corruptListing, matchesFilter } from '@cairn/core/store-kit'
import type { StoreContext } from './context.js'
import { av, str, type Item } from './db.js'
import { listingOf } from './head-item.js'
import { A, GSI_PK, GSI_SESSIONS, GSI_SK, INDEX_NAME } from './table-design.js'

/**
 * Lists sessions from the `gsi1` partition `session`, ordered by session id (the index sort
 * key), reading only the projected listing attributes. Filters go to DynamoDB as a
 * FilterExpression where that is safe and are applied again here on the verified listing;
 * a listing whose checksum fails is reported as `corrupt` (and on `cairn:store:corrupt`).
 */
export async function listSessions(ctx: StoreContext, filter: ListFilter = {}): Promise<ListPage> {
  const limit = filter.limit
  const names: Record<string, string> = { '#gpk': GSI_PK }
  const values: Item = { ':gpk': av.s(GSI_SESSIONS) }
  let keyCondition = '#gpk = :gpk'
  if (filter.cursor !== undefined && filter.cursor !== '') {
    names['#gsk'] = GSI_SK
    values[':cursor'] = av.s(filter.cursor)
    keyCondition += ' AND #gsk > :cursor'
  }
  const serverFilter = filterExpression(filter, names, values)
  const out: SessionListing[] = []
  let start: Item | undefined
  do {
    const page = await ctx.db.query({
      IndexName: INDEX_NAME,
      KeyConditionExpression: keyCondition,
      ...(serverFilter ? { FilterExpression: serverFilter } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(limit !== undefined ? { Limit: Math.min(1_000, limit + 1) } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    })
    for (const item of page.items) {
      const sessionId = str(item, GSI_SK)
      if (sessionId === undefined) continue
      let listing: SessionListing
      try {
        listing = listingOf(item, sessionId)
      } catch (err) {
        if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ sessionId, error: err })
        listing = corruptListing(sessionId, err)
      }
      if (matchesFilter(listing, filter)) out.push(listing)
      if (limit !== undefined && out.length > limit) {
        const items = out.slice(0, limit)
        return { items, cursor: (items[items.length - 1] as SessionListing).sessionId }
      }
    }
    start = page.next
  } while (start)
  return { items: out }
}

/** The part of `filter` DynamoDB can apply without hiding a corrupt listing the caller asked for. */
function filterExpression(filter: ListFilter, names: Record<string, string>, values: Item): string | undefined {
  const parts: string[] = []
  if (filter.status !== undefined) {
    const wanted = Array.isArray(filter.status) ? filter.status : [filter.status]
    if (!wanted.includes('corrupt') && wanted.length > 0 && wanted.length <= 50) {
      names['#status'] = A.status
      const keys = wanted.map((s, i) => {
        values[`:st${i}`] = av.s(String(s))
        return `:st${i}`
      })
      parts.push(`#status IN (${keys.join(', ')})`)
    }
  }
  if (filter.optimizer !== undefined && typeof filter.optimizer === 'string' && filter.optimizer !== '') {
    names['#optimizer'] = A.optimizer
    values[':optimizer'] = av.s(filter.optimizer)
    parts.push('#optimizer = :optimizer')
  }
  if (typeof filter.updatedSince === 'number' && filter.updatedSince > 0) {
    names['#updatedAt'] = A.updatedAt
    values[':since'] = av.n(filter.updatedSince)
    parts.push('#updatedAt >= :since')
  }
  return parts.length > 0 ? parts.join(' AND ') : undefined
}
