import { InvalidArgumentError } from 'commander'

/** A commander argument parser for an integer in [min, max]. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `must be an integer${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` in [${min}, ${max}]`}.`,
      )
    return n
  }
}
