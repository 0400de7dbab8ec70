import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** One car of the Auto MPG data (UCI), as shipped by the `vega-datasets` package. */
export interface Car {
  name: string
  mpg: number
  cylinders: number
  displacement: number
  horsepower: number
  weight: number
  acceleration: number
  /** Model year, e.g. 70 for 1970. */
  year: number
  origin: 'USA' | 'Europe' | 'Japan'
}

interface RawCar {
  Name: string
  Miles_per_Gallon: number | null
  Cylinders: number
  Displacement: number
  Horsepower: number | null
  Weight_in_lbs: number
  Acceleration: number
  Year: string
  Origin: string
}

/**
 * The 392 cars with a known MPG and horsepower, read from `vega-datasets/data/cars.json`
 * (the package's own loader fetches from a CDN; the file itself is in the package).
 */
export function loadCars(): Car[] {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const raw = JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'cars.json'), 'utf8')) as RawCar[]
  const cars: Car[] = []
  for (const r of raw) {
    if (r.Miles_per_Gallon === null || r.Horsepower === null) continue
    if (r.Origin !== 'USA' && r.Origin !== 'Europe' && r.Origin !== 'Japan') continue
    cars.push({
      name: r.Name,
      mpg: r.Miles_per_Gallon,
      cylinders: r.Cylinders,
      displacement: r.Displacement,
      horsepower: r.Horsepower,
      weight: r.Weight_in_lbs,
      acceleration: r.Acceleration,
      year: Number(r.Year.slice(0, 4)) - 1900,
      origin: r.Origin,
    })
  }
  return cars
}

/** A deterministic k-fold split: shuffled by `seed`, then cut into `k` near-equal folds. */
export function kFolds<T>(rows: readonly T[], k: number, seed: number): { train: T[]; validation: T[] }[] {
  const order = rows.map((_, i) => i)
  let a = seed >>> 0
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  return Array.from({ length: k }, (_, f) => {
    const validation: T[] = []
    const train: T[] = []
    order.forEach((idx, pos) => {
      ;(pos % k === f ? validation : train).push(rows[idx] as T)
    })
    return { train, validation }
  })
}
