import Type from 'typebox'
import { optionKinds as k } from '../input/option-kinds.js'
import { defineOptions, type OptionsSchema } from '../input/options-schema.js'
import { checkWarmStartId } from './input-checks.js'
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

const EntryInputSchema: OptionsSchema<WarmStartEntryInput> = defineOptions<WarmStartEntryInput>('saveOverwrite', {
  kind: k.oneOf(['final', 'checkpoint']),
  objective: k.union([k.number(), Type.Null()], 'must be a finite number or null'),
  direction: k.optional(k.oneOf(['minimize', 'maximize'])),
  iteration: k.number(),
  payload: k.any(),
  producerVersion: k.optional(k.string(0)),
})

/** Validates `saveOverwrite` arguments; throws `InvalidInputError` naming the field (`UnknownOptionError` for an unknown entry key). */
export function validateEntryInput(key: string, runId: string, input: WarmStartEntryInput): void {
  checkWarmStartId(key, 'key')
  checkWarmStartId(runId, 'runId')
  EntryInputSchema.check(input, 'entry', 'saveOverwrite')
}
