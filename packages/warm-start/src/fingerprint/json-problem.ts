import type { CanonicalJsonProblem, InvalidInputError } from '@cairn/core'
import { invalidInput } from '../util/errors.js'

/**
 * This package's error for a JSON value core's `CanonicalJsonEncoder` refused: names the
 * subject (a number means "example N") and the path, e.g.
 * `cannot fingerprint example 3 at $.meta.scores[1]: NaN is not a finite number ...`.
 */
export function fingerprintJsonError(problem: CanonicalJsonProblem, subject: string | number): InvalidInputError {
  const where = problem.path.length === 0 ? '' : ` at ${formatPath(problem.path)}`
  const name = typeof subject === 'number' ? `example ${subject}` : subject
  return invalidInput(`cannot fingerprint ${name}${where}: ${describe(problem)}`)
}

function describe({ reason, value }: CanonicalJsonProblem): string {
  switch (reason) {
    case 'non-finite-number':
      return `${String(value)} is not a finite number (JSON has no NaN or Infinity)`
    case 'cycle':
      return 'the value is cyclic'
    case 'unsupported-object':
      return ArrayBuffer.isView(value) || value instanceof ArrayBuffer
        ? 'binary data has no canonical JSON form (convert it to an array or a base64 string first)'
        : `a ${(value as object).constructor.name} has no JSON form (convert it to an array or object first)`
    case 'unsupported-type':
      if (value === undefined) return 'undefined is not a JSON value'
      if (typeof value === 'bigint') return 'a bigint is not a JSON value (convert it to a string or number first)'
      return `a ${typeof value} is not a JSON value`
  }
}

function formatPath(path: readonly (string | number)[]): string {
  let out = '$'
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`
  return out
}
