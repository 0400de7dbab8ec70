import type { StoreCapabilities } from '@cairn/core'

/**
 * What a LevelDB store offers, whether it holds the database or reads through its holder. No
 * `sharedEvaluation`: LevelDB admits one process, and workers of a shared session are processes.
 */
export const LEVEL_CAPABILITIES: StoreCapabilities = Object.freeze({
  durable: true,
  multiProcess: false,
  multiMachine: false,
  sharedEvaluation: false,
  trialProgress: true,
})
