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
  /**
   * Damages the stored record of trial `trialIdx` of `sessionId` (garbage bytes in its place,
   * or a flipped byte), as a disk fault would after the commit that wrote it. The suite only
   * damages trials that later commits of the session followed. `null` declares that the store
   * cannot damage one trial record on its own: the tests that need it are then reported as
   * skipped (`[needs corruptTrial] …`). `describeCheckpointStore` requires it declared (a
   * function or `null`): left out, its tests fail saying so. The warm-start suite ignores it.
   */
  corruptTrial?: TrialFault | null
  /**
   * Removes the stored record of trial `trialIdx` of `sessionId` while the head still counts it.
   * `null` declares that a record cannot go missing on its own in this store (one checksummed
   * record holding several trials, say): the tests that need it are reported as skipped.
   * Required declared by `describeCheckpointStore`, like `corruptTrial`.
   */
  dropTrial?: TrialFault | null
  /**
   * Damages the stored progress of trial `trialIdx` of `sessionId` (the latest save: a flipped
   * byte in its bytes, or in one of its chunks), as a disk fault would after the save. `null`
   * declares that the store cannot damage it on its own: the test that needs it is reported as
   * skipped. Required declared by `describeCheckpointStore` when the store declares
   * `capabilities.trialProgress`, like `corruptTrial`.
   */
  corruptTrialProgress?: TrialFault | null
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

/** A fault hook of a fixture: damages what the store holds for one trial of one session. */
export type TrialFault = (sessionId: string, trialIdx: number) => Promise<void>

/** The fault hooks a fixture declares: a function, `null` (declared missing), or absent (not declared). */
export type FixtureHook = 'corruptTrial' | 'dropTrial' | 'corruptTrialProgress'

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
