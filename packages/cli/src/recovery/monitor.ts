import type { CheckpointStore } from '@cairn/core'
import type { JobEntry, RecoveryMonitor, RecoveryPolicy } from '@cairn/recovery'
import type { CairnConfig } from '../config/types.js'
import { resumeOptionsFor } from '../jobs/drive-options.js'
import { getJob, jobNames } from '../jobs/job.js'
import { importOptional } from '../lazy-import.js'
import { warmStartStore } from '../store/open-store.js'

/** Options of `Cairn.monitor` besides the policy. */
export interface MonitorOptions {
  /** The monitor's lease owner name (default `recovery:<host>:<pid>:<random>`). */
  owner?: string
  /** Lease time-to-live of the sessions it drives, unless a job sets its own. */
  leaseTtlMs?: number
}

/**
 * A `RecoveryMonitor` over `store` whose job registry is the config's jobs: a recovered session
 * is resumed with the objective (or program) of the job its head names and the optimizer it was
 * started with. `@cairn/recovery` is imported only now.
 */
export async function buildMonitor(
  config: CairnConfig,
  store: CheckpointStore,
  policy: RecoveryPolicy | undefined,
  options: MonitorOptions,
): Promise<RecoveryMonitor> {
  const { RecoveryMonitor } = await importOptional(
    '@cairn/recovery',
    'the recovery monitor (cairn monitor)',
    () => import('@cairn/recovery'),
  )
  const warm = warmStartStore(store)
  const jobs: Record<string, JobEntry> = {}
  for (const name of jobNames(config)) {
    jobs[name] = async (ctx) => {
      const { signal: _s, owner: _o, ...opts } = await resumeOptionsFor(config, ctx.head, {}, warm)
      if (!ctx.rebuilding) return opts
      // A damaged head is being rebuilt: what the job's config says about the session stands in for what was lost.
      const def = getJob(config, name)
      return {
        ...opts,
        rebuild: {
          ...(def.maxTrials !== undefined ? { maxTrials: def.maxTrials } : {}),
          ...(def.direction !== undefined ? { direction: def.direction } : {}),
          ...(def.seed !== undefined ? { seed: def.seed } : {}),
        },
      }
    }
  }
  return new RecoveryMonitor({
    store,
    policy: { enabled: true, ...(config.recovery ?? {}), ...(policy ?? {}) },
    jobs,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
    ...(options.leaseTtlMs !== undefined ? { leaseTtlMs: options.leaseTtlMs } : {}),
  })
}
