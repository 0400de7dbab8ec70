import type { Json, Metric, Objective, ObjectiveResult, Program, PrunedTrial } from '@cairn/core'

/** What a session evaluates: an objective, or program × trainset × metric. */
export interface EvalSetup {
  objective?: Objective
  program?: Program<any, any>
  trainset?: readonly unknown[]
  valset?: readonly unknown[]
  metric?: Metric<any, any>
}

/**
 * `setup` with its objective (or program) wrapped: `enter` runs with the candidate before
 * every real call, and may throw (a failed evaluation) or never settle (a hung one).
 */
export function instrument(setup: EvalSetup, enter: (candidate: Json) => void | Promise<void>): EvalSetup {
  if (setup.program) {
    const program = setup.program
    return {
      ...setup,
      program: async (config, example, ctx) => {
        await enter(config)
        return program(config, example, ctx)
      },
    }
  }
  const objective = setup.objective as Objective
  return {
    ...setup,
    objective: async (candidate, ctx): Promise<ObjectiveResult | PrunedTrial> => {
      await enter(candidate as Json)
      return objective(candidate, ctx)
    },
  }
}

/** `setup` with a pause before every evaluation (so a real kill lands mid-run). */
export function delayed(setup: EvalSetup, ms: number): EvalSetup {
  if (ms <= 0) return setup
  return instrument(setup, () => new Promise((resolve) => setTimeout(resolve, ms)))
}
