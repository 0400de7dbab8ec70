import { describePruner } from '@cairn/testkit'
import { asha, hyperband, medianPruner, nopPruner, patientPruner, percentilePruner } from '../../src/index.js'

describePruner('nopPruner', () => nopPruner(), { prunesWorseTrials: false })
describePruner('medianPruner', () => medianPruner())
describePruner('medianPruner (warmup, interval, nMinTrials)', () =>
  medianPruner({ nStartupTrials: 2, nWarmupSteps: 3, intervalSteps: 4, nMinTrials: 3 }),
)
describePruner('percentilePruner', () => percentilePruner(25))
describePruner('patientPruner (no inner)', () => patientPruner(null, { patience: 2 }), { mayPruneWithoutHistory: true })
describePruner('patientPruner (median inner)', () => patientPruner(medianPruner(), { patience: 1, minDelta: 0.01 }))
describePruner('asha', () => asha())
describePruner('asha (fixed minResource)', () => asha({ minResource: 1, reductionFactor: 3 }))
describePruner('asha (cohortSize)', () => asha({ cohortSize: 6 }))
describePruner('asha (bootstrapCount)', () => asha({ minResource: 2, bootstrapCount: 2 }), { mayPruneWithoutHistory: true })
describePruner('hyperband', () => hyperband())
describePruner('hyperband (fixed maxResource)', () => hyperband({ minResource: 1, maxResource: 100, reductionFactor: 3 }))
