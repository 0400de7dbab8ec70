import type { Optimizer } from '@cairn/core'
import { MissingPackageError } from '../errors.js'
import { importOptional } from '../lazy-import.js'

type Optimizers = typeof import('@cairn/optimizers')

/** `@cairn/optimizers`, imported on first use; null when it is not installed. */
export async function builtinOptimizers(): Promise<Optimizers | null> {
  try {
    return await importOptimizers('the built-in optimizers')
  } catch (err) {
    if (err instanceof MissingPackageError) return null
    throw err
  }
}

/** The names of `@cairn/optimizers`' optimizers (`tpe`, `random` …); none when it is not installed. */
export async function builtinOptimizerNames(): Promise<string[]> {
  return Object.keys((await builtinOptimizers())?.OPTIMIZER_IDS ?? {})
}

/** The optimizer id a built-in name stands for (for `cairn ls --optimizer tpe`), or undefined. */
export async function builtinOptimizerId(name: string): Promise<string | undefined> {
  const m = await builtinOptimizers()
  return m?.isOptimizerName(name) ? m.OPTIMIZER_IDS[name] : undefined
}

/**
 * A built-in optimizer with default options, or undefined when `name` is none of them.
 * `@cairn/optimizers` is imported only now, so a config that brings its own optimizers never
 * needs it; naming one of its optimizers without it installed gives `MissingPackageError`.
 */
export async function builtinOptimizer(name: string): Promise<Optimizer<any> | undefined> {
  const m = await importOptimizers(`the optimizer "${name}"`)
  return m.isOptimizerName(name) ? m.optimizerByName(name) : undefined
}

function importOptimizers(neededFor: string): Promise<Optimizers> {
  return importOptional('@cairn/optimizers', neededFor, () => import('@cairn/optimizers'))
}
