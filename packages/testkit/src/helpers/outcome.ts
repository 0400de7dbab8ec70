/** How a promise settled, in a shape that gives a readable diff in an assertion. */
export type Outcome<T> = { outcome: 'resolved'; value: T } | { outcome: 'rejected'; code: unknown; name: unknown; message: unknown }

/**
 * Settles `promise` (or calls `fn`) and describes the result, so a test can assert
 * `expect(await settle(p)).toMatchObject({ outcome: 'rejected', code: 'NOT_FOUND' })`.
 * Errors are compared by their stable `code`, which survives duplicated copies of `@cairn/core`.
 */
export async function settle<T>(promise: Promise<T> | (() => Promise<T> | T)): Promise<Outcome<T>> {
  try {
    const value = await (typeof promise === 'function' ? promise() : promise)
    return { outcome: 'resolved', value }
  } catch (err) {
    const e = err as { code?: unknown; name?: unknown; message?: unknown } | null
    return { outcome: 'rejected', code: e?.code, name: e?.name, message: e?.message }
  }
}

/** The pattern `settle` yields for a rejection with the given Cairn error code. */
export function rejectedWith(code: string): { outcome: 'rejected'; code: string } {
  return { outcome: 'rejected', code }
}
