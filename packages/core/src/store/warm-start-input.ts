import { InvalidInputError } from '../errors.js'
import type { WarmStartEntry, WarmStartEntryInput } from './warm-start-contract.js'

/** Validates `saveOverwrite`'s arguments and builds the entry to store (saved and accessed `now`). */
export function newWarmStartEntry(key: string, runId: string, input: WarmStartEntryInput, now = Date.now()): WarmStartEntry {
  validateEntryInput(key, runId, input)
  return {
    key,
    runId,
    kind: input.kind,
    objective: input.objective,
    direction: input.direction ?? 'minimize',
    iteration: input.iteration,
    payload: input.payload,
    ...(input.producerVersion !== undefined ? { producerVersion: input.producerVersion } : {}),
    updatedAt: now,
    lastAccessedAt: now,
    sizeBytes: 0,
  }
}

/** Validates `saveOverwrite` arguments; throws `InvalidInputError` naming the field. */
export function validateEntryInput(key: string, runId: string, input: WarmStartEntryInput): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 256)
    throw new InvalidInputError('must be a non-empty string of at most 256 characters', 'key')
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 256)
    throw new InvalidInputError('must be a non-empty string of at most 256 characters', 'runId')
  if (input.kind !== 'final' && input.kind !== 'checkpoint') throw new InvalidInputError(`must be "final" or "checkpoint"`, 'entry.kind')
  if (input.objective !== null && !Number.isFinite(input.objective))
    throw new InvalidInputError('must be a finite number or null', 'entry.objective')
  if (!Number.isFinite(input.iteration)) throw new InvalidInputError('must be a finite number', 'entry.iteration')
  if (input.direction !== undefined && input.direction !== 'minimize' && input.direction !== 'maximize')
    throw new InvalidInputError('must be "minimize" or "maximize"', 'entry.direction')
}
