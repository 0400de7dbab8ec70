/**
 * The optimizer module of `referenceOptimizer`, for `describeOptimizer`'s real-process test:
 * a child process imports it to build the same optimizer the parent uses.
 */
import type { Optimizer } from '@cairn/core'
import { referenceOptimizer } from './random-search.js'

export function createOptimizer(_args: string[]): Optimizer<any> {
  return referenceOptimizer()
}
