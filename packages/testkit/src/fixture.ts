import type { CheckpointStore } from '@cairn/core'

/**
 * A fresh store handed to one test, with the hooks the suite needs to reach under the API.
 * Every test gets its own fixture; the suite closes the store and then calls `cleanup`.
 */
export interface StoreFixture<S> {
  /** A fresh, empty store. */
  store: S
  /** Overwrites the stored head of `sessionId` with garbage bytes (simulated corruption). */
  corruptHead(sessionId: string): Promise<void>
  /** Overwrites the stored warm-start entry `(key, runId)` with garbage bytes. */
  corruptWarmStartEntry?(key: string, runId: string): Promise<void>
  /**
   * Required when `store.capabilities.multiProcess`: how a child process opens THE SAME store.
   * `module` is the absolute path of a `.ts` or `.js` module exporting
   * `openStore(args: string[]): Promise<CheckpointStore & Partial<WarmStartStore>>`;
   * it is called with `args`.
   */
  child?: { module: string; args: string[] }
  /** Removes what the fixture created (directories, tables). Runs after `store.close()`. */
  cleanup?(): Promise<void>
}

/** Makes a fresh fixture; called once per test (and once more to read the store's capabilities). */
export type StoreFactory<S> = () => Promise<StoreFixture<S>>

/** What a child module passed as `StoreFixture.child.module` must export. */
export interface ChildStoreModule {
  openStore(args: string[]): Promise<CheckpointStore>
}

/** Runs `fn` with a fresh fixture, then closes the store and cleans up, whatever happened. */
export async function withFixture<S, T>(factory: StoreFactory<S>, fn: (fixture: StoreFixture<S>) => Promise<T>): Promise<T> {
  const fixture = await factory()
  try {
    return await fn(fixture)
  } finally {
    await closeQuietly(fixture.store)
    await fixture.cleanup?.()
  }
}

/** Calls `close()` when the object has one, ignoring its failure (a store closed twice, say). */
export async function closeQuietly(store: unknown): Promise<void> {
  const close = (store as { close?: () => Promise<void> } | null)?.close
  if (typeof close === 'function') await close.call(store).catch(() => undefined)
}
