import type { Json, Metric, Program } from '@cairn/core'

/** A training example of the toy task: answer with the example's topic. */
export interface Example {
  id: number
  topic: number
  /** Only "good" examples teach their topic when used as a demonstration. */
  good: boolean
}

/**
 * 24 examples over 4 topics; 2 good examples per topic (ids ≡ 0, 3, 6, 9 mod 12). A
 * configuration answers an example correctly iff one of its demos is a good example of the
 * same topic, so the best configurations carry one good demo per topic (score 1).
 */
export const trainset: readonly Example[] = Array.from({ length: 24 }, (_, id) => ({ id, topic: id % 4, good: id % 3 === 0 }))

/** Deterministic program: returns the topic when a matching good demo is present, else -1. */
export const program: Program<Example, number> = (config, example) => {
  const demos = ((config as { demos?: number[] }).demos ?? []).map((i) => trainset[i]!)
  const instruction = (config as { instruction?: string }).instruction
  if (instruction === 'refuse') return -1
  return demos.some((d) => d.good && d.topic === example.topic) ? example.topic : -1
}

/** 1 for the right topic, 0 otherwise. */
export const metric: Metric<Example, number> = (example, output) => (output === example.topic ? 1 : 0)

/** True when `config` carries a good demo of every topic. */
export function coversAllTopics(config: Json): boolean {
  const demos = ((config as { demos?: number[] }).demos ?? []).map((i) => trainset[i]!)
  return [0, 1, 2, 3].every((t) => demos.some((d) => d.good && d.topic === t))
}
