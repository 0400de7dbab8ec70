/**
 * The pruners alone, without the samplers: both sides judge the same 100 fixed candidates of
 * the synthetic curves, one after the other (Cairn: each pruner's `shouldPrune` with the trials
 * before as history, as a session with `parallelism: 1` calls it; Optuna: the candidates
 * enqueued with `study.enqueue_trial`). Where the epochs of the full comparison differ but the
 * decisions here agree, the difference comes from the samplers, not the pruning rules.
 */
import type { IntermediateValue, Pruner, PrunerTrialView } from '@cairn/core'
import { runOptunaScript } from './optuna.js'
import { CAIRN_PRUNERS, type PrunerName } from './pruning-cairn.js'
import { CURVE_EPOCHS, OPTS, curveValue, mix32, type CurveParams } from './pruning-curves.js'
import { penguinsPath } from './pruning-sgd.js'

const CANDIDATES = 100

/** The fixed candidates: coordinates drawn from `mix32` of (index, coordinate). */
export function replayCandidates(n = CANDIDATES): CurveParams[] {
  const u = (i: number, k: number): number => mix32(mix32(12345, i), k) / 4294967296
  return Array.from({ length: n }, (_, i) => ({
    x0: u(i, 0),
    x1: u(i, 1),
    x2: u(i, 2),
    x3: u(i, 3),
    lr: 10 ** (-4 + 4 * u(i, 4)),
    width: 1 + Math.floor(64 * u(i, 5)),
    opt: OPTS[Math.floor(3 * u(i, 6))] as string,
  }))
}

/** The epochs each candidate trained before it was pruned (27: not pruned), in order. */
function cairnStops(pruner: Pruner, candidates: readonly CurveParams[]): number[] {
  const history: PrunerTrialView[] = []
  return candidates.map((c, trialIdx) => {
    const intermediate: IntermediateValue[] = []
    let status: 'ok' | 'pruned' = 'ok'
    for (let t = 0; t < CURVE_EPOCHS; t++) {
      intermediate.push({ step: t + 1, value: curveValue(c, t) })
      if (pruner.shouldPrune({ trialIdx, seed: 0, direction: 'minimize', intermediate: [...intermediate], history: [...history] })) {
        status = 'pruned'
        break
      }
    }
    history.push({ trialIdx, status, score: intermediate.at(-1)?.value ?? Number.NaN, intermediate })
    return intermediate.length
  })
}

/** One pruner on the fixed candidates, both sides. */
export interface ReplayRow {
  pruner: PrunerName
  cairnEpochs: number
  optunaEpochs: number
  /** Candidates stopped at a different epoch. */
  differ: number
  /** The first differences as `trial: cairn epochs / optuna epochs`. */
  firstDifferences: string[]
}

/** Runs the replay for the given pruners (none is skipped: it never prunes). */
export async function runReplay(pruners: readonly PrunerName[]): Promise<ReplayRow[]> {
  const names = pruners.filter((p) => p !== 'none')
  if (names.length === 0) return []
  const candidates = replayCandidates()
  const py = (await runOptunaScript('pruning.py', [
    '--data',
    penguinsPath(),
    '--pruners',
    names.join(','),
    '--replay',
    JSON.stringify(candidates),
  ])) as Record<string, number[]>
  return names.map((pruner) => {
    const ours = cairnStops(CAIRN_PRUNERS[pruner]()!, candidates)
    const theirs = py[pruner] ?? []
    const diffs: string[] = []
    ours.forEach((e, i) => {
      if (e !== theirs[i]) diffs.push(`${i}: ${e}/${theirs[i] ?? '—'}`)
    })
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    return { pruner, cairnEpochs: sum(ours), optunaEpochs: sum(theirs), differ: diffs.length, firstDifferences: diffs.slice(0, 5) }
  })
}
