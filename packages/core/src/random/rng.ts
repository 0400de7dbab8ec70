import { InvalidInputError } from '../errors.js'

const HEX_STATE = /^[0-9a-f]{32}$/

/**
 * A seeded pseudo-random generator (xoshiro128**) whose whole state is four 32-bit words.
 * `state()` serializes it; `Rng.fromState()` restores it exactly, so a resumed session draws
 * the same numbers an uninterrupted one would.
 */
export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  private constructor(words: readonly [number, number, number, number]) {
    ;[this.s0, this.s1, this.s2, this.s3] = words
  }

  /** A generator seeded from any safe integer (splitmix32 expands it into the state). */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`must be a safe integer, got ${seed}`, 'seed')
    let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32)
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    const words: [number, number, number, number] = [next(), next(), next(), next()]
    if (words.every((w) => w === 0)) words[0] = 1
    return new Rng(words)
  }

  /** Restores a generator from `state()`. */
  static fromState(state: string): Rng {
    if (!HEX_STATE.test(state)) throw new InvalidInputError(`not an Rng state: ${JSON.stringify(state)}`, 'rngState')
    const words = [0, 8, 16, 24].map((i) => Number.parseInt(state.slice(i, i + 8), 16)) as [number, number, number, number]
    return new Rng(words)
  }

  /** The generator's state as 32 hex characters. */
  state(): string {
    return [this.s0, this.s1, this.s2, this.s3].map((w) => (w >>> 0).toString(16).padStart(8, '0')).join('')
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return new Rng([this.s0, this.s1, this.s2, this.s3])
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** A float in [0, 1) with 53 bits of randomness. */
  next(): number {
    const hi = this.nextUint32() >>> 5
    const lo = this.nextUint32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** A float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next()
  }

  /** An integer in [low, high] (both inclusive), without modulo bias. */
  int(low: number, high: number): number {
    const span = high - low + 1
    if (!Number.isSafeInteger(span) || span <= 0) throw new InvalidInputError(`bad integer range [${low}, ${high}]`)
    return low + Math.floor(this.next() * span)
  }

  /** A standard normal draw (Box–Muller; no cached spare, so the state stays four words). */
  normal(): number {
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidInputError('cannot pick from an empty array')
    return items[this.int(0, items.length - 1)] as T
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += w
    if (!(total > 0)) throw new InvalidInputError('weights must be non-negative and not all zero')
    let r = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number
      if (r < 0) return i
    }
    return weights.length - 1
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
