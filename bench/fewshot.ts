/**
 * `fewShotSearch` benchmark: does the search choose demonstrations that work on new data, and
 * does the score it reports say so?
 *
 *   pnpm bench fewshot
 *   node --conditions=@cairn/source --import tsx bench/fewshot.ts [--seeds 20] [--trials 30] [--features 2,3] [--quick] [--json]
 *
 * A real task in place of an LLM, where demonstrations matter the same way: a 1-nearest-
 * neighbour classifier whose "demonstrations" are the labelled points it may compare against
 * (prototype selection), on the Palmer penguins of the quick start (`vega-datasets`, three
 * species). By default it sees flipper length and body mass (standardized), on which Adelie
 * and Chinstrap overlap: like a real model, it is far from perfect (about 80%), so which
 * demonstrations it gets matters. Per seed the rows are shuffled and split into train (36 rows,
 * a few-shot trainset, where demonstrations come from), val (100) and test (the rest, never
 * seen by the search). For k = 3 … 12 demonstrations, three searches of `trials` rounds each:
 *
 * - `before`: the behaviour before valsets — labelled demonstrations, every candidate scored on
 *   the training examples its demonstrations come from (`valset: train`, which is exactly that);
 * - `after, valset`: bootstrapped + labelled demonstrations (`maxBootstrappedDemos: k,
 *   maxLabeledDemos: k`) scored on the val split;
 * - `after, no valset`: the same, scored on the training examples a candidate does not show.
 *
 * Reported, as medians over seeds: the test accuracy of the chosen demo set, that of random
 * demo sets of the same size (the mean of `randomSets` draws from train per seed), how often
 * the chosen set beats them, and the leak gap = the score the search reported for its best set
 * minus that set's test accuracy, with the part of it `before` owes to crediting a set for
 * classifying its own demonstrations (`self-credit`), and the noise level (one standard error
 * of val − test accuracy).
 */
import { fileURLToPath } from 'node:url'
import { compile, Rng, type Json, type Metric, type Program } from '@cairn/core'
import { fewShotSearch } from '@cairn/optimizers'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { median, round, type Row } from './lib/stats.js'

/** What this benchmark uses of examples/quickstart/src/penguins.ts (imported at run time: bench/ does not reference the example's project). */
interface Penguin {
  features: [number, number, number, number]
  species: number
}
const PENGUINS = new URL('../examples/quickstart/src/penguins.ts', import.meta.url).href
const MEASUREMENTS = ['beak length', 'beak depth', 'flipper length', 'body mass']

/** Options of `run`. */
export interface FewShotBenchOptions {
  /** Seeds (splits and searches). Default 20. */
  seeds?: number
  /** Rounds (trials) per search. Default 30. */
  trials?: number
  /** Smallest and largest number of demonstrations. Default 3 and 12. */
  kMin?: number
  kMax?: number
  /** Random demo sets drawn per seed and k for the baseline. Default 10. */
  randomSets?: number
  /** Rows in the train split (demonstrations come from it). Default 36. */
  trainSize?: number
  /** Rows in the val split. Default 100; the rest is the test split. */
  valSize?: number
  /**
   * Which measurements the classifier sees (indices into beak length, beak depth, flipper
   * length, body mass). Default flipper length and body mass, on which Adelie and Chinstrap
   * overlap: 1-NN gets about 80% right, so demonstrations matter, as with an imperfect model.
   * With all four (`[0, 1, 2, 3]`) 1-NN is right 97% of the time and there is little to leak.
   */
  features?: number[]
}

/** One labelled point, standardized with the training split's means and deviations. */
interface Point {
  x: number[]
  y: number
}

/** The three splits of one seed. */
interface Split {
  train: Point[]
  val: Point[]
  test: Point[]
}

const VARIANTS = ['before', 'after, valset', 'after, no valset'] as const
type Variant = (typeof VARIANTS)[number]

/** Figures of one k. */
export interface KRow {
  k: number
  /** Median size of the chosen set (after, valset); the random sets have the chosen set's size seed by seed. */
  chosenSize: number
  randomTest: number
  test: Record<Variant, number>
  /** Seeds (of `seeds`) where the chosen set's test accuracy beats the random sets' mean. */
  wins: Record<Variant, number>
  /** Median of (reported best score − test accuracy of that set). */
  gap: Record<Variant, number>
  /**
   * `before` only: median of (reported score − the same set's accuracy on the training examples
   * it does not show), the credit a set got for classifying its own demonstrations.
   */
  selfCredit: number
}

/** The report. */
export interface FewShotReport {
  dataset: string
  rows: number
  split: string
  seeds: number
  trials: number
  randomSets: number
  ks: KRow[]
  /** Medians over every k and seed. */
  summary: {
    gap: Record<Variant, number>
    test: Record<Variant, number>
    randomTest: number
    selfCredit: number
    winsAtEveryK: Record<Variant, boolean>
    /**
     * One standard error of (val accuracy − test accuracy) for a fixed set at the median test
     * accuracy of `after, valset`: gaps of this size are noise.
     */
    noise: number
  }
  seconds: number
}

/** The nearest demonstration's class (squared Euclidean distance), or -1 without demonstrations. */
function classify(points: readonly Point[], demos: readonly number[], x: readonly number[]): number {
  let best = -1
  let bestD = Infinity
  for (const i of demos) {
    const p = points[i] as Point
    let d = 0
    for (let j = 0; j < x.length; j++) d += ((p.x[j] as number) - (x[j] as number)) ** 2
    if (d < bestD) {
      bestD = d
      best = p.y
    }
  }
  return best
}

function accuracy(train: readonly Point[], demos: readonly number[], examples: readonly Point[]): number {
  let right = 0
  for (const e of examples) if (classify(train, demos, e.x) === e.y) right++
  return right / examples.length
}

/** Shuffles the rows with the seed and splits them into train, val and test, standardized by the train split. */
function splitRows(rows: readonly Penguin[], seed: number, trainSize: number, valSize: number): Split {
  const shuffled = Rng.fromSeed(1000 + seed).shuffle(rows)
  const a = trainSize
  const b = trainSize + valSize
  const train = shuffled.slice(0, a)
  const dims = train[0]!.features.length
  const mean = Array.from({ length: dims }, (_, j) => train.reduce((s, r) => s + r.features[j]!, 0) / train.length)
  const sd = mean.map((m, j) => Math.sqrt(train.reduce((s, r) => s + (r.features[j]! - m) ** 2, 0) / train.length) || 1)
  const point = (r: Penguin): Point => ({ x: r.features.map((v, j) => (v - mean[j]!) / sd[j]!), y: r.species })
  return { train: train.map(point), val: shuffled.slice(a, b).map(point), test: shuffled.slice(b).map(point) }
}

/** One search; returns the chosen demonstrations and the score the session reported for them. */
async function search(
  split: Split,
  k: number,
  variant: Variant,
  seed: number,
  trials: number,
): Promise<{ demos: number[]; reported: number }> {
  const program: Program<Point, number> = (config: Json, example: Point) =>
    classify(split.train, (config as { demos: number[] }).demos, example.x)
  const metric: Metric<Point, number> = (example, output) => (output === example.y ? 1 : 0)
  const optimizer =
    variant === 'before'
      ? fewShotSearch({ maxBootstrappedDemos: 0, maxLabeledDemos: k })
      : fewShotSearch({ maxBootstrappedDemos: k, maxLabeledDemos: k })
  const valset = variant === 'before' ? split.train : variant === 'after, valset' ? split.val : undefined
  const result = await compile({
    optimizer,
    program,
    trainset: split.train,
    ...(valset ? { valset } : {}),
    metric,
    seed,
    maxTrials: trials,
  })
  return { demos: (result.bestArtifact as { demos: number[] }).demos, reported: result.bestScore ?? 0 }
}

/** Runs the benchmark. */
export async function run(options: FewShotBenchOptions = {}): Promise<FewShotReport> {
  const seeds = options.seeds ?? 20
  const trials = options.trials ?? 30
  const kMin = options.kMin ?? 3
  const kMax = options.kMax ?? 12
  const randomSets = options.randomSets ?? 10
  const trainSize = options.trainSize ?? 36
  const valSize = options.valSize ?? 100
  const started = performance.now()
  const { loadPenguins } = (await import(PENGUINS)) as { loadPenguins(): Penguin[] }
  const features = options.features ?? [2, 3]
  const rows = loadPenguins().map((r) => ({ ...r, features: features.map((j) => r.features[j]!) as Penguin['features'] }))
  const splits = Array.from({ length: seeds }, (_, s) => splitRows(rows, s, trainSize, valSize))
  const ks: KRow[] = []
  const all = { gap: new Map<Variant, number[]>(), test: new Map<Variant, number[]>(), random: [] as number[], selfCredit: [] as number[] }
  for (let k = kMin; k <= kMax; k++) {
    const test = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]))
    const gap = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]))
    const wins = new Map<Variant, number>(VARIANTS.map((v) => [v, 0]))
    const random: number[] = []
    const sizes: number[] = []
    const selfCredit: number[] = []
    for (let s = 0; s < seeds; s++) {
      const split = splits[s] as Split
      const chosen = new Map<Variant, { demos: number[]; reported: number }>()
      for (const v of VARIANTS) chosen.set(v, await search(split, k, v, s, trials))
      // Random demo sets of the chosen set's size (after, valset), drawn from train.
      const size = chosen.get('after, valset')!.demos.length
      sizes.push(size)
      const rng = Rng.fromSeed(5000 + 100 * k + s)
      let total = 0
      for (let r = 0; r < randomSets; r++)
        total += accuracy(split.train, rng.shuffle(split.train.map((_, i) => i)).slice(0, size), split.test)
      const randomTest = total / randomSets
      random.push(randomTest)
      for (const v of VARIANTS) {
        const c = chosen.get(v)!
        const acc = accuracy(split.train, c.demos, split.test)
        test.get(v)!.push(acc)
        gap.get(v)!.push(c.reported - acc)
        if (acc > randomTest) wins.set(v, wins.get(v)! + 1)
      }
      const old = chosen.get('before')!
      const unshown = split.train.filter((_, i) => !old.demos.includes(i))
      selfCredit.push(old.reported - accuracy(split.train, old.demos, unshown))
    }
    const byVariant = (m: Map<Variant, number[]>) =>
      Object.fromEntries(VARIANTS.map((v) => [v, round(median(m.get(v)!), 4)])) as Record<Variant, number>
    ks.push({
      k,
      chosenSize: median(sizes),
      randomTest: round(median(random), 4),
      test: byVariant(test),
      wins: Object.fromEntries(VARIANTS.map((v) => [v, wins.get(v)!])) as Record<Variant, number>,
      gap: byVariant(gap),
      selfCredit: round(median(selfCredit), 4),
    })
    all.selfCredit.push(...selfCredit)
    for (const v of VARIANTS) {
      all.gap.set(v, [...(all.gap.get(v) ?? []), ...gap.get(v)!])
      all.test.set(v, [...(all.test.get(v) ?? []), ...test.get(v)!])
    }
    all.random.push(...random)
  }
  const med = (m: Map<Variant, number[]>) =>
    Object.fromEntries(VARIANTS.map((v) => [v, round(median(m.get(v)!), 4)])) as Record<Variant, number>
  const p = median(all.test.get('after, valset')!)
  const testSize = rows.length - trainSize - valSize
  return {
    dataset: `Palmer penguins (vega-datasets), measurements ${features.map((j) => MEASUREMENTS[j]).join(' + ')} (standardized), 3 species`,
    rows: rows.length,
    split: `train ${trainSize} rows (demonstrations) / val ${valSize} / test ${rows.length - trainSize - valSize} (held out from the search)`,
    seeds,
    trials,
    randomSets,
    ks,
    summary: {
      gap: med(all.gap),
      test: med(all.test),
      randomTest: round(median(all.random), 4),
      selfCredit: round(median(all.selfCredit), 4),
      winsAtEveryK: Object.fromEntries(VARIANTS.map((v) => [v, ks.every((r) => r.test[v] > r.randomTest)])) as Record<Variant, boolean>,
      noise: round(Math.sqrt(p * (1 - p) * (1 / valSize + 1 / testSize)), 4),
    },
    seconds: round((performance.now() - started) / 1000, 1),
  }
}

export const title = 'fewShotSearch: 1-NN prototype selection on the penguins (held-out accuracy and leak gap, medians over seeds)'

/** One row per k: test accuracy of random and chosen sets, wins over random, and the leak gap. */
export function table(report: FewShotReport): Row[] {
  return report.ks.map((r) => ({
    k: r.k,
    size: r.chosenSize,
    random: r.randomTest,
    'before: test': r.test.before,
    'after valset: test': r.test['after, valset'],
    'after no-valset: test': r.test['after, no valset'],
    'wins (after valset)': `${r.wins['after, valset']}/${report.seeds}`,
    'gap before': r.gap.before,
    'before: self-credit': r.selfCredit,
    'gap after valset': r.gap['after, valset'],
    'gap after no-valset': r.gap['after, no valset'],
  }))
}

/** Settings of `--quick`. */
const QUICK: FewShotBenchOptions = { seeds: 5, trials: 20 }

/** The standalone run's command line. */
export const cli: Cli<FewShotBenchOptions & { json: boolean }> = {
  command: 'bench/fewshot.ts',
  defaults: () => ({ json: false }),
  flags: {
    quick: { help: `${QUICK.seeds} seeds × ${QUICK.trials} trials (flags after it override it)`, apply: (o) => Object.assign(o, QUICK) },
    seeds: { value: 'n', help: 'seeds (default 20)', apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)) },
    trials: { value: 'n', help: 'rounds per search (default 30)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    'random-sets': {
      value: 'n',
      help: 'random demo sets per seed and k (default 10)',
      apply: (o, v) => (o.randomSets = integerFlag('random-sets', v, 1)),
    },
    'train-size': {
      value: 'n',
      help: 'rows of the train split (default 36)',
      apply: (o, v) => (o.trainSize = integerFlag('train-size', v, 1)),
    },
    'val-size': { value: 'n', help: 'rows of the val split (default 100)', apply: (o, v) => (o.valSize = integerFlag('val-size', v, 1)) },
    features: {
      value: 'list',
      help: 'measurements seen, comma-separated indices: 0 beak length, 1 beak depth, 2 flipper length, 3 body mass (default 2,3)',
      apply: (o, v) => (o.features = v.split(',').map(Number)),
    },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import('./lib/stats.js')
  const opts = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report, null, 2))
  if (!opts.json) printTable(title, table(report))
  if (!opts.json) console.log(`\nnoise (one standard error of val − test accuracy): ${report.summary.noise}`)
}
