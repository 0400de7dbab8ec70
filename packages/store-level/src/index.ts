export { createLevelStore } from './level-store.js'
export type { LevelStore } from './level-store.js'
export type { LevelStoreOptions } from './options.js'
export { LevelLockedError } from './errors.js'
