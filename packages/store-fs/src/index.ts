export { createFsStore } from './fs-store.js'
export type { FsStore, FsStoreOptions } from './fs-store.js'
