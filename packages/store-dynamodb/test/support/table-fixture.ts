import { afterEach, beforeEach } from 'vitest'
import { createDynamoDbStore, type DynamoDbStore } from '../../src/index.js'
import { dropTable, localConfig, newTable } from './tables.js'

/** Options of a store opened by `useTable`. */
export interface OpenOptions {
  maxAttempts?: number
  inlineTrials?: number
}

/**
 * Registers, for each test of the file: a fresh table (named `prefix-…`) before it, and after
 * it the closing of every store `open` returned and the dropping of the table.
 */
export function useTable(prefix: string): { tableName(): string; open(options?: OpenOptions): DynamoDbStore } {
  let tableName = ''
  const opened: DynamoDbStore[] = []
  beforeEach(async () => {
    tableName = await newTable(prefix)
  })
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close()
    await dropTable(tableName)
  })
  return {
    tableName: () => tableName,
    open({ inlineTrials, ...client }: OpenOptions = {}) {
      const store = createDynamoDbStore({
        tableName,
        clientConfig: localConfig(client),
        ...(inlineTrials !== undefined ? { inlineTrials } : {}),
      })
      opened.push(store)
      return store
    },
  }
}
