import type { Optimizer } from '@cairn/core'
import type { OptimizerContext, OptimizerFactory, OptimizerRef } from '../config/types.js'
import { UnknownOptimizerError } from '../errors.js'
import { BUILTIN_OPTIMIZERS, builtinOptimizer, isBuiltinOptimizer } from './builtins.js'

/** An optimizer and, when it was chosen by name, that name (recorded so a resume picks the same one). */
export interface ResolvedOptimizer {
  optimizer: Optimizer<any>
  name?: string
}

/** Names `resolveOptimizer` accepts: the config's optimizers, then the built-in ones. */
export function optimizerNames(named: Readonly<Record<string, OptimizerFactory>> | undefined): string[] {
  return [...new Set([...Object.keys(named ?? {}), ...BUILTIN_OPTIMIZERS])]
}

/** True when `name` names an optimizer (the config's or a built-in one). */
export function isKnownOptimizer(name: string, named: Readonly<Record<string, OptimizerFactory>> | undefined): boolean {
  return (named !== undefined && Object.hasOwn(named, name)) || isBuiltinOptimizer(name)
}

/**
 * Builds the optimizer a reference names: a name (the config's `optimizers` win over the
 * built-in ones, which load `@cairn/optimizers` lazily), a factory (called with `ctx`), or an
 * optimizer object. Throws `UnknownOptimizerError` for an unknown name.
 */
export async function resolveOptimizer(
  ref: OptimizerRef,
  named: Readonly<Record<string, OptimizerFactory>> | undefined,
  ctx: OptimizerContext,
): Promise<ResolvedOptimizer> {
  if (typeof ref === 'string') {
    if (named !== undefined && Object.hasOwn(named, ref)) return { optimizer: await (named[ref] as OptimizerFactory)(ctx), name: ref }
    if (isBuiltinOptimizer(ref)) return { optimizer: await builtinOptimizer(ref), name: ref }
    throw new UnknownOptimizerError(ref, optimizerNames(named))
  }
  if (typeof ref === 'function') return { optimizer: await ref(ctx) }
  return { optimizer: ref }
}
