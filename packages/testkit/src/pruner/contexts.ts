import { Rng, type Direction, type IntermediateValue, type PruneContext, type PrunerTrialView } from '@cairn/core'

/** The shape of the contexts the pruner suite builds. */
export interface ContextShape {
  /** History trials. */
  trials: number
  /** Steps (reports) of a history trial at most. */
  steps: number
  direction: Direction
  /** Include `error` and `pruned` trials, trials without curves and with sparse steps. */
  messy: boolean
}

/** A decreasing (minimize) learning curve with noise: `steps` points at steps 0, stride, 2·stride… */
export function curve(rng: Rng, steps: number, stride: number, level: number, direction: Direction): IntermediateValue[] {
  const out: IntermediateValue[] = []
  const sign = direction === 'maximize' ? -1 : 1
  for (let i = 0; i < steps; i++) {
    const v = level + 1 / (1 + i) + 0.05 * (rng.next() - 0.5)
    out.push({ step: i * stride, value: sign * v })
  }
  return out
}

const made = new Map<string, readonly PrunerTrialView[]>()

/**
 * A history of `shape.trials` trials, oldest first, drawn from `seed`; built once per seed and
 * shape and shared (the suite checks that pruners never change it).
 */
export function history(seed: number, shape: ContextShape): readonly PrunerTrialView[] {
  const key = JSON.stringify([seed, shape])
  let h = made.get(key)
  if (!h) {
    h = makeHistory(seed, shape)
    made.set(key, h)
  }
  return h
}

function makeHistory(seed: number, shape: ContextShape): PrunerTrialView[] {
  const rng = Rng.fromSeed(seed)
  const out: PrunerTrialView[] = []
  for (let i = 0; i < shape.trials; i++) {
    const roll = shape.messy ? rng.next() : 0
    const stride = shape.messy && rng.next() < 0.2 ? 1 + Math.floor(rng.next() * 5) : 1
    const level = rng.next() * 2
    if (roll > 0.9) {
      out.push({
        trialIdx: i,
        status: 'error',
        intermediate: rng.next() < 0.5 ? [] : curve(rng, 1 + Math.floor(rng.next() * shape.steps), stride, level, shape.direction),
      })
      continue
    }
    if (roll > 0.8) {
      out.push({ trialIdx: i, status: 'ok', score: level, intermediate: [] })
      continue
    }
    if (roll > 0.55) {
      const c = curve(rng, 1 + Math.floor(rng.next() * Math.max(1, shape.steps / 3)), stride, level, shape.direction)
      out.push({ trialIdx: i, status: 'pruned', score: c[c.length - 1]!.value, intermediate: c })
      continue
    }
    const c = curve(rng, shape.steps, stride, level, shape.direction)
    out.push({ trialIdx: i, status: 'ok', score: c[c.length - 1]!.value, intermediate: c })
  }
  return out
}

/** Contexts judging one new trial at each of its reports, over `hist`. */
export function contextsOver(seed: number, hist: readonly PrunerTrialView[], shape: ContextShape, level: number): PruneContext[] {
  const rng = Rng.fromSeed(seed + 1)
  const full = curve(rng, shape.steps, 1, level, shape.direction)
  const out: PruneContext[] = []
  for (let n = 1; n <= full.length; n++)
    out.push({ trialIdx: hist.length + (seed % 7), seed, direction: shape.direction, intermediate: full.slice(0, n), history: hist })
  return out
}

/**
 * Deep copies of contexts that share no object with them; contexts that shared a history
 * share its one copy (copying a long history per context costs more than judging it).
 */
export function cloneContexts(ctxs: readonly PruneContext[], transform: <T>(v: T) => T = (v) => v): PruneContext[] {
  const copies = new Map<readonly PrunerTrialView[], readonly PrunerTrialView[]>()
  return ctxs.map((c) => {
    let h = copies.get(c.history)
    if (!h) {
      h = transform(structuredClone(c.history) as PrunerTrialView[])
      copies.set(c.history, h)
    }
    return transform({ ...c, intermediate: structuredClone(c.intermediate), history: h })
  })
}

/** Freezes a context and everything in it. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child)
    Object.freeze(v)
  }
  return v
}
