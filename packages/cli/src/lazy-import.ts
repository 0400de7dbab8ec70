import { MissingPackageError } from './errors.js'

/**
 * Imports an optional package on first use. When the package itself is not installed the
 * import fails with `MissingPackageError` naming it (and how to install it); any other failure
 * — including a dependency *of* that package being missing — is rethrown unchanged.
 *
 * `importer` must be a literal `() => import('name')` so bundlers keep it a dynamic import.
 */
export async function importOptional<T>(packageName: string, neededFor: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer()
  } catch (err) {
    if (isMissing(err, packageName)) throw new MissingPackageError(packageName, neededFor, { cause: err })
    throw err
  }
}

function isMissing(err: unknown, packageName: string): boolean {
  if (err === null || typeof err !== 'object') return false
  const code = (err as { code?: unknown }).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false
  const message = String((err as { message?: unknown }).message ?? '')
  // "Cannot find package '@cairn/store-level' imported from …" — the package itself, not one of its dependencies.
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`)
}
