import type { Evaluation, Json, Rng, StepContext } from '@cairn/core'
import { sampleIndices } from './propose.js'

/**
 * Where candidates are scored: the session's valset when it has one; otherwise the training
 * examples a candidate does not use as demonstrations, so that a candidate is never scored on
 * the examples it shows (a program that memorizes its demonstrations would win).
 */
export class ScoringSet {
  constructor(
    private readonly trainset: readonly unknown[],
    private readonly valset: readonly unknown[] | undefined,
  ) {}

  /** `valset` or `trainset-minus-demos`, for trial stats. */
  get kind(): 'valset' | 'trainset-minus-demos' {
    return this.valset ? 'valset' : 'trainset-minus-demos'
  }

  /** The examples a candidate with these demonstrations is scored on in full. */
  full(demos: readonly number[]): readonly unknown[] {
    if (this.valset) return this.valset
    const shown = new Set(demos)
    return this.trainset.filter((_, i) => !shown.has(i))
  }

  /** Draws a minibatch of up to `size` examples (indices into the valset, or into the trainset without one). */
  drawMinibatch(rng: Rng, size: number): number[] {
    return sampleIndices(rng, (this.valset ?? this.trainset).length, size)
  }

  /** The examples of a minibatch a candidate with these demonstrations is screened on. */
  minibatch(indices: readonly number[], demos: readonly number[]): readonly unknown[] {
    if (this.valset) return indices.map((i) => this.valset![i])
    const shown = new Set(demos)
    return indices.filter((i) => !shown.has(i)).map((i) => this.trainset[i])
  }
}

/** Runs `jobs` (evaluations), `ctx.parallelism` at a time; results in job order. */
export async function evaluateAll(
  ctx: StepContext,
  jobs: readonly { candidate: Json; examples: readonly unknown[] }[],
): Promise<Evaluation[]> {
  const out: Evaluation[] = []
  const width = Math.max(1, ctx.parallelism)
  for (let i = 0; i < jobs.length; i += width) {
    const group = jobs.slice(i, i + width)
    out.push(...(await Promise.all(group.map((j) => ctx.evaluate(j.candidate, { examples: j.examples })))))
  }
  return out
}
