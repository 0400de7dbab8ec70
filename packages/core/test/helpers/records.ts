import { makeHead, makeTrial } from '@cairn/testkit'
import type { CheckpointHead, Json, Rng, TrialRecord } from '../../src/index.js'

const PARAMS = ['lr', 'depth', 'optimizer', 'dropout', 'layers', 'warmup', 'é', 'Z', '10']

/** A JSON object with a random subset of `names`, inserted in a random order. */
function params(r: Rng, names: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {}
  for (const name of [...names].sort(() => r.next() - 0.5)) {
    if (r.next() < 0.3) continue
    const x = r.next()
    out[name] =
      x < 0.4
        ? r.uniform(-1e3, 1e3)
        : x < 0.6
          ? r.int(-5, 100)
          : x < 0.8
            ? `v${r.int(0, 9)}`
            : x < 0.9
              ? [r.next(), null, true]
              : { b: r.next(), a: -0 }
  }
  return out
}

/** A trial record as the driver writes them, its fields and candidate in a random order and shape. */
export function trial(idx: number, r: Rng): TrialRecord {
  const ok = r.next() < 0.8
  const t = makeTrial(idx, {
    candidate: params(r, PARAMS),
    durationMs: r.uniform(0, 5000),
    ...(ok
      ? { score: r.uniform(-1, 1), stats: params(r, ['loss', 'epochs', 'tokens']) }
      : { status: 'error', score: undefined, error: { name: 'Error', message: `boom ${idx} ✗` }, errorClass: 'objective' }),
    ...(r.next() < 0.5 ? { candidateId: `c-${idx}` } : {}),
  })
  return Object.fromEntries(Object.entries(t).sort(() => r.next() - 0.5)) as unknown as TrialRecord
}

/** A head mid-run, with settings, space, pending trials and state bytes that vary with `r`. */
export function head(idx: number, r: Rng): CheckpointHead {
  return makeHead({
    sessionId: `session-${idx}`,
    optimizerOptions: params(r, ['gamma', 'nStartup', 'multivariate']),
    space: { lr: { kind: 'float', low: 1e-5, high: 0.1, log: true }, depth: { kind: 'int', low: 2, high: 12 } },
    settings: params(r, ['dataset', 'folds', 'note']),
    pending: Array.from({ length: r.int(0, 2) }, (_, k) => ({ trialIdx: idx + k, candidate: params(r, PARAMS) })),
    optimizerState: Uint8Array.from({ length: r.int(0, 300) }, () => r.int(0, 255)),
    revision: idx,
    ...(r.next() < 0.5 ? { bestArtifact: { path: `runs/${idx}.json`, metrics: params(r, ['ndcg', 'mrr']) }, name: 'tuning ✓' } : {}),
  })
}
