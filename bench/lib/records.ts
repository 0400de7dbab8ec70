import type { CheckpointHead, TrialRecord } from '@cairn/core'

/** A realistic ~300-byte trial record for store benchmarks. */
export function benchTrial(trialIdx: number): TrialRecord {
  return {
    trialIdx,
    candidateId: `cand-${trialIdx}`,
    candidate: { x: Math.sin(trialIdx) * 5, lr: 0.001 + (trialIdx % 7) * 1e-4, n: trialIdx % 64, kernel: trialIdx % 2 ? 'rbf' : 'linear' },
    score: Math.cos(trialIdx),
    status: 'ok',
    stats: { evals: 3, tokens: 1200 + (trialIdx % 100), note: 'synthetic benchmark trial' },
    durationMs: 12.5,
  }
}

/** A head counting `attempts` trials, leased by `bench` with fencing token 1. */
export function benchHead(sessionId: string, attempts: number): CheckpointHead {
  const now = Date.now()
  return {
    sessionId,
    status: 'running',
    optimizer: { id: '@cairn/optimizers/tpe', stateVersion: 1 },
    optimizerOptions: { nStartup: 10, gamma: 0.25 },
    seed: 42,
    direction: 'minimize',
    createdAt: now,
    updatedAt: now,
    progress: {
      attempts,
      completed: attempts,
      errors: 0,
      bestScore: attempts ? -1 : null,
      bestTrialIdx: attempts ? 0 : null,
      startedAt: now,
    },
    limits: { maxTrials: null, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array(64).fill(attempts & 255),
    rngState: '0123456789abcdef0123456789abcdef',
    pending: [],
    revision: 0,
    lease: { owner: 'bench', fencingToken: 1, expiresAt: now + 3_600_000 },
  }
}
