import type { SearchSpace } from '@cairn/core'
import { invalidInput } from './errors.js'

/** The context's search space, or an `InvalidInputError` saying the optimizer needs one. */
export function requireSpace(optimizer: string, ctx: { space?: SearchSpace | undefined }): SearchSpace {
  if (ctx.space === undefined || ctx.space === null)
    throw invalidInput(optimizer, 'needs a search space: pass `space: space({...})` to startSession')
  return ctx.space
}
