export { createFsStore } from './fs-store.js'
export type { FsDroppedRecord, FsStore, FsStoreOptions } from './fs-store.js'
