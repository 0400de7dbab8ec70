/**
 * The synthetic learning curves of bench/pruning.ts, defined identically in
 * bench/optuna/pruning.py (the bench checks both sides agree before it runs).
 *
 * A candidate (4 floats x0..x3 in [0, 1], a log-scale learning rate `lr` in [1e-4, 1], an
 * int `width` in [1, 64], a categorical `opt`) maps to six coordinates in [0, 1]^6: x0..x3,
 * (log10(lr) + 4) / 4 and (width − 1) / 63. Its final value is Hartmann-6 of those
 * coordinates plus a penalty of `opt`; the curve at epoch t (0-based) approaches it from above:
 *
 *   value(t) = f + a · exp(−r · (t + 1)) + σ · (2u − 1)
 *
 * with amplitude a = 1 + 2·c1, rate r = 0.04 + 0.4 · c4 · speed(opt) (a high learning rate
 * learns fast, far from Hartmann's best c4 ≈ 0.31) and noise σ = 0.01 + 0.04 · c2, u in [0, 1)
 * a 32-bit integer hash of the candidate's quantized coordinates and t. The optimizer that
 * learns fastest (`sgd`) ends worst, so a greedy pruner can be fooled, as in real training.
 * Minimum of f: −3.32237 (Hartmann-6), with `opt` = adam.
 */
import { categorical, float, int, space, type Json } from '@cairn/core'
import { hartmann6 } from './test-functions.js'

/** Epochs of a full trial: 27 = 3^3, so Hyperband (η = 3, min resource 1) has 4 brackets. */
export const CURVE_EPOCHS = 27

/** The lower bound of the final values (Hartmann-6's minimum; `adam` has no penalty). */
export const CURVE_OPTIMUM = -3.32237

/** The categorical's choices, their final-value penalty and their learning speed. */
export const OPTS = ['adam', 'momentum', 'sgd'] as const
const PENALTY: Record<string, number> = { adam: 0, momentum: 0.1, sgd: 0.3 }
const SPEED: Record<string, number> = { adam: 0.8, momentum: 1.0, sgd: 1.6 }

/** The search space of the synthetic workload (same names and bounds in pruning.py). */
export const curveSpace = space({
  x0: float(0, 1),
  x1: float(0, 1),
  x2: float(0, 1),
  x3: float(0, 1),
  lr: float(1e-4, 1, { log: true }),
  width: int(1, 64),
  opt: categorical([...OPTS]),
})

/** One 32-bit mixing round (murmur3's finalizer over h xor v); Python masks to 32 bits the same way. */
export function mix32(h: number, v: number): number {
  let x = Math.imul((h ^ v) >>> 0, 0x9e3779b1) >>> 0
  x = (x ^ (x >>> 16)) >>> 0
  x = Math.imul(x, 0x85ebca6b) >>> 0
  x = (x ^ (x >>> 13)) >>> 0
  x = Math.imul(x, 0xc2b2ae35) >>> 0
  return (x ^ (x >>> 16)) >>> 0
}

/** A float in [0, 1] as an exact integer (floor of v · 2^30: a power-of-two scale, so both languages agree). */
const quantize = (v: number): number => Math.floor(v * 1073741824)

/** A candidate of the synthetic workload. */
export interface CurveParams {
  x0: number
  x1: number
  x2: number
  x3: number
  lr: number
  width: number
  opt: string
}

/** The hash of (candidate, epoch) the noise is drawn from, as a uint32. */
export function curveHash(p: CurveParams, t: number): number {
  let h = 0x2545f491
  for (const v of [p.x0, p.x1, p.x2, p.x3, p.lr]) h = mix32(h, quantize(v))
  h = mix32(h, p.width)
  h = mix32(h, OPTS.indexOf(p.opt as (typeof OPTS)[number]))
  return mix32(h, t)
}

/** The candidate's six coordinates in [0, 1]. */
function coordinates(p: CurveParams): number[] {
  const c4 = Math.min(1, Math.max(0, (Math.log10(p.lr) + 4) / 4))
  return [p.x0, p.x1, p.x2, p.x3, c4, (p.width - 1) / 63]
}

/** The value the curve approaches: Hartmann-6 of the coordinates plus the penalty of `opt`. */
export function curveFinal(p: CurveParams): number {
  return hartmann6(coordinates(p)) + PENALTY[p.opt]!
}

/** The curve's value after epoch `t` (0-based). */
export function curveValue(p: CurveParams, t: number): number {
  const c = coordinates(p)
  const a = 1 + 2 * c[1]!
  const r = 0.04 + 0.4 * c[4]! * SPEED[p.opt]!
  const sigma = 0.01 + 0.04 * c[2]!
  const u = curveHash(p, t) / 4294967296
  return curveFinal(p) + a * Math.exp(-r * (t + 1)) + sigma * (2 * u - 1)
}

/** Candidates the startup check compares between the two languages. */
export const CURVE_CHECK_POINTS: readonly (CurveParams & Record<string, Json>)[] = [
  { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, lr: 0.0017654, width: 42, opt: 'adam' },
  { x0: 0, x1: 1, x2: 0.5, x3: 0.123456789, lr: 1, width: 1, opt: 'sgd' },
  { x0: 0.9999999, x1: 0.3333333333, x2: 0.654321, x3: 0.01, lr: 0.0001, width: 64, opt: 'momentum' },
]
