/**
 * The importance worker: computes permutation importances off the page's main thread, so a
 * large session's page stays responsive while the forest trains. Bundled on its own and started
 * from a Blob URL (no request: it works in a report opened from disk too).
 */
import { permutationImportance, type ImportanceInput } from './permutation.js'

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; input: ImportanceInput }>) => void) | null
  postMessage(message: unknown): void
}

const scope = self as unknown as WorkerScope
scope.onmessage = (e) => {
  const { id, input } = e.data
  try {
    scope.postMessage({ id, result: permutationImportance(input) })
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
}
