import type { Json, PruneContext, Pruner } from '@cairn/core'

/** A pruner object with its id, `stateVersion: 1`, frozen JSON options and a decision rule. */
export function definePruner(id: string, options: Json, rule: (ctx: PruneContext) => boolean): Pruner {
  return Object.freeze({
    specificationVersion: 'v1' as const,
    id,
    stateVersion: 1,
    options: deepFreeze(options),
    shouldPrune: (ctx: PruneContext): boolean => ctx.intermediate.length > 0 && rule(ctx),
  })
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child)
    Object.freeze(v)
  }
  return v
}
