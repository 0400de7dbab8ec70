/**
 * Test hooks, set through `@cairn/store-fs/testing`: for a store, a function its next commit
 * awaits inside its critical section, once every check has passed and before it writes.
 */
export const beforeCommitWrite = new WeakMap<object, () => Promise<void>>()
/** For a store, a function its next trial-slot write awaits inside its slot's lock, once every check has passed and before it writes. */
export const beforeSlotWrite = new WeakMap<object, () => Promise<void>>()
