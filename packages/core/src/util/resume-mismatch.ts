import { ResumeMismatchError, type ResumeMismatchReason } from '../errors.js'
import { canonicalJson } from './canonical-json.js'
import { jsonDifferences, type JsonDifference } from './json-differences.js'

/**
 * The `ResumeMismatchError` for a stored value (`expected`) that differs from the one given
 * (`got`): it names each place where they differ, or both whole values when they differ as a
 * whole. `detail` says why the field must match or what to do.
 */
export function resumeMismatch(reason: ResumeMismatchReason, expected: unknown, got: unknown, detail?: string): ResumeMismatchError {
  const differences = jsonDifferences(expected, got)
  const listed = differences.length > 0 ? differences : [{ path: '', stored: expected, got }]
  return new ResumeMismatchError(reason, {
    expected,
    got,
    differences,
    described: listed.map(describeDifference),
    ...(detail !== undefined ? { detail } : {}),
  })
}

/** `path: stored X, got Y` (values as compact JSON, long ones cut), or `stored X, got Y` at the root. */
function describeDifference(d: JsonDifference): string {
  const text = `stored ${show(d.stored)}, got ${show(d.got)}`
  return d.path === '' ? text : `${d.path}: ${text}`
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  let text: string
  try {
    text = canonicalJson(v)
  } catch {
    text = String(v)
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
