import { InvalidInputError } from '../errors.js'

/** The version of the store and optimizer contracts this `@cairn/core` implements. */
export const SPECIFICATION_VERSION = 'v1'

/**
 * Throws `InvalidInputError` unless `plugin` declares the contract version this core knows,
 * so a store or optimizer built for another major version of the contracts is refused up
 * front instead of failing somewhere inside a run.
 */
export function checkSpecificationVersion(plugin: unknown, field: 'store' | 'optimizer' | 'warmStart.store' | 'pruner'): void {
  const version =
    plugin !== null && typeof plugin === 'object' ? (plugin as { specificationVersion?: unknown }).specificationVersion : undefined
  if (version === SPECIFICATION_VERSION) return
  const what = field === 'optimizer' || field === 'pruner' ? field : 'store'
  const found = version === undefined ? 'declares no specificationVersion' : `implements specification ${JSON.stringify(version)}`
  throw new InvalidInputError(
    `this ${what} ${found}, and this @cairn/core knows "${SPECIFICATION_VERSION}": use a ${what} package built for this @cairn/core (or set specificationVersion: '${SPECIFICATION_VERSION}' on your own)`,
    `${field}.specificationVersion`,
  )
}
