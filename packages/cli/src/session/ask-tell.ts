import type { CheckpointHead, Optimizer } from '@cairn/core'
import type { CairnConfig, OptimizerRef } from '../config/types.js'
import { defaultOptimizerRef, getJob, readSettings } from '../jobs/job.js'
import { resolveOptimizer } from '../optimizer/resolve.js'

/**
 * The optimizer of a stored session, as a resume builds it: by the name recorded in its
 * settings when it was chosen by name, else the job's. Throws `UnknownJobError` when the config
 * does not define the session's job.
 */
export async function sessionOptimizer(config: CairnConfig, head: CheckpointHead): Promise<Optimizer<any>> {
  const def = getJob(config, head.job, head.sessionId)
  const ref: OptimizerRef = readSettings(head.settings).optimizer ?? defaultOptimizerRef(def)
  const { optimizer } = await resolveOptimizer(ref, config.optimizers, { job: head.job as string, sessionId: head.sessionId, head })
  return optimizer
}
