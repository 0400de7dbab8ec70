import type { CheckpointHead, JoinOptions, WarmStartStore } from '@cairn/core'
import type { JoinJobOptions } from '../cairn-options.js'
import type { CairnConfig } from '../config/types.js'
import { WorkerJobError } from '../errors.js'
import { resolvePruner } from '../optimizer/pruner.js'
import { resumeOptionsFor } from './drive-options.js'
import { getJob, targetOptions } from './job.js'
import { observedObjective } from './observed-objective.js'

/**
 * The `joinSession` options of a worker of a stored session: the objective of the job its head
 * names, the job's trial lease and poll interval, and — unless `takeOver` is false — the options
 * `resume` would build, so the worker can take the session over when its coordinator dies.
 * Throws `UnknownJobError` when the config does not define the session's job, and
 * `WorkerJobError` for a program job (a worker evaluates an objective).
 */
export async function joinOptionsFor(
  config: CairnConfig,
  head: CheckpointHead,
  options: JoinJobOptions,
  warmStartStore: WarmStartStore | undefined,
): Promise<JoinOptions> {
  const def = getJob(config, head.job, head.sessionId)
  const given = targetOptions(def, head.job).objective
  if (given === undefined) throw new WorkerJobError(head.sessionId, head.job as string)
  const objective = options.onTrial ? observedObjective(given, options.onTrial) : given
  const join: JoinOptions = { objective }
  if (def.trialLeaseTtlMs !== undefined) join.trialLeaseTtlMs = def.trialLeaseTtlMs
  if (def.pollIntervalMs !== undefined) join.pollIntervalMs = def.pollIntervalMs
  if (def.trialTimeoutMs !== undefined) join.trialTimeoutMs = def.trialTimeoutMs
  if (def.pruner !== undefined) join.pruner = await resolvePruner(def.pruner, `jobs.${head.job}.pruner`)
  if (options.owner !== undefined) join.owner = options.owner
  if (options.signal !== undefined) join.signal = options.signal
  if (options.takeOver !== false) join.takeOver = { ...(await resumeOptionsFor(config, head, {}, warmStartStore)), objective }
  return join
}
