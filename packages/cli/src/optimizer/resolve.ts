import type { Optimizer } from '@cairn/core'
import type { OptimizerContext, OptimizerFactory, OptimizerRef } from '../config/types.js'
import { UnknownOptimizerError } from '../errors.js'
import { builtinOptimizer, builtinOptimizerNames } from './builtins.js'

/** An optimizer and, when it was chosen by name, that name (recorded so a resume picks the same one). */
export interface ResolvedOptimizer {
  optimizer: Optimizer<any>
  name?: string
}

/** Names `resolveOptimizer` accepts: the config's optimizers, then `@cairn/optimizers`' ones (when installed). */
export async function optimizerNames(named: Readonly<Record<string, OptimizerFactory>> | undefined): Promise<string[]> {
  return [...new Set([...Object.keys(named ?? {}), ...(await builtinOptimizerNames())])]
}

/** True when `name` names an optimizer (the config's, or one of `@cairn/optimizers` when it is installed). */
export async function isKnownOptimizer(name: string, named: Readonly<Record<string, OptimizerFactory>> | undefined): Promise<boolean> {
  return (named !== undefined && Object.hasOwn(named, name)) || (await builtinOptimizerNames()).includes(name)
}

/**
 * Builds the optimizer a reference names: a name (the config's `optimizers` win over
 * `@cairn/optimizers`' ones, imported only now), a factory (called with `ctx`), or an
 * optimizer object. Throws `UnknownOptimizerError` for an unknown name, `MissingPackageError`
 * when a name needs `@cairn/optimizers` and it is not installed.
 */
export async function resolveOptimizer(
  ref: OptimizerRef,
  named: Readonly<Record<string, OptimizerFactory>> | undefined,
  ctx: OptimizerContext,
): Promise<ResolvedOptimizer> {
  if (typeof ref === 'string') {
    if (named !== undefined && Object.hasOwn(named, ref)) return { optimizer: await (named[ref] as OptimizerFactory)(ctx), name: ref }
    const builtin = await builtinOptimizer(ref)
    if (builtin) return { optimizer: builtin, name: ref }
    throw new UnknownOptimizerError(ref, await optimizerNames(named))
  }
  if (typeof ref === 'function') return { optimizer: await ref(ctx) }
  return { optimizer: ref }
}
