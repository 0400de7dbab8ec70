import type { CairnConfig } from './types.js'

/**
 * Types a config: `export default defineConfig({ store, optimizers, jobs })` in `cairn.config.ts`.
 * Returns it unchanged; `createCairn` (and so the CLI) validates it and names any bad field.
 */
export function defineConfig<const T extends CairnConfig>(config: T): T {
  return config
}
