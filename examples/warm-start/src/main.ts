/**
 * k-fold cross-validation with warm start, end to end:
 *
 *   node --conditions=@cairn/source --import tsx examples/warm-start/src/main.ts [--seeds 3] [--trials 60] [--folds 5]
 */
import { compareWarmStart, medianTrials, type CompareReport } from './cross-validation.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const seeds = arg('seeds', 3)
const trials = arg('trials', 60)
const k = arg('folds', 5)

const reports: CompareReport[] = []
for (let seed = 1; seed <= seeds; seed++) {
  const r = await compareWarmStart({ k, trials, seed })
  reports.push(r)
  console.log(`seed ${seed}: fold 1 best 1−R² ${r.fold1.best.toFixed(4)} after ${trials} trials (${r.cars} cars, ${k} folds)`)
  console.log('  fold  target 1−R²  cold: trials to target (best)  warm: trials to target (best)  seeded from')
  for (const f of r.folds) {
    const cell = (run: typeof f.cold): string => `${run.trialsToTarget ?? `>${trials}`} (${run.best.toFixed(4)})`.padEnd(30)
    console.log(
      `  ${String(f.fold).padEnd(4)}  ${f.target.toFixed(4).padEnd(11)}  ${cell(f.cold)} ${cell(f.warm)} ${f.warm.source}, ${f.warm.seededTrials} trials`,
    )
  }
}
const all = reports.flatMap((r) => r.folds)
console.log(
  `\nmedian trials to reach fold 1's quality over ${all.length} fold runs: ` +
    `cold ${medianTrials(
      all.map((f) => f.cold.trialsToTarget),
      trials,
    )}, warm-started ${medianTrials(
      all.map((f) => f.warm.trialsToTarget),
      trials,
    )}`,
)
