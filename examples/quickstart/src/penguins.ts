import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** One penguin: four body measurements and its species as a class index. */
export interface Penguin {
  features: [number, number, number, number]
  species: number
}

export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const

interface RawPenguin {
  Species: string
  'Beak Length (mm)': number | null
  'Beak Depth (mm)': number | null
  'Flipper Length (mm)': number | null
  'Body Mass (g)': number | null
}

/** The Palmer penguins shipped by the `vega-datasets` package (rows with missing measurements dropped). */
export function loadPenguins(): Penguin[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const file = join(dirname(entry), '..', 'data', 'penguins.json')
  const rows = JSON.parse(readFileSync(file, 'utf8')) as RawPenguin[]
  const out: Penguin[] = []
  for (const r of rows) {
    const f = [r['Beak Length (mm)'], r['Beak Depth (mm)'], r['Flipper Length (mm)'], r['Body Mass (g)']]
    const species = SPECIES.indexOf(r.Species as (typeof SPECIES)[number])
    if (species < 0 || f.some((v) => typeof v !== 'number')) continue
    out.push({ features: f as Penguin['features'], species })
  }
  return out
}

/** Splits rows into k folds deterministically (round-robin over a seeded shuffle). */
export function kFolds<T>(rows: readonly T[], k: number, seed = 7): T[][] {
  const order = rows.map((_, i) => i)
  let s = seed >>> 0
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  const folds: T[][] = Array.from({ length: k }, () => [])
  order.forEach((idx, n) => {
    folds[n % k]!.push(rows[idx] as T)
  })
  return folds
}
