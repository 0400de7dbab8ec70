import { createHash } from 'node:crypto'
import { canonicalJson } from '../util/canonical-json.js'

/**
 * The trainset hash the driver records and verifies on resume when the caller gives none:
 * SHA-256 over each example's canonical JSON, length-prefixed, in order. `@cairn/warm-start`'s
 * `hashTrainset` is the richer, streaming variant; pass its result as `trainsetHash` to use it.
 */
export function defaultTrainsetHash(trainset: readonly unknown[]): string {
  return `${DEFAULT_TRAINSET_HASH_PREFIX}${defaultTrainsetDigest(trainset)}`
}

/** Marks hashes computed by `defaultTrainsetHash`, so a resume knows it can recompute them. */
export const DEFAULT_TRAINSET_HASH_PREFIX = 'cairn-sha256:'

function defaultTrainsetDigest(trainset: readonly unknown[]): string {
  const hash = createHash('sha256')
  for (const example of trainset) {
    const text = canonicalJson(example)
    hash.update(`${Buffer.byteLength(text)}:`)
    hash.update(text)
  }
  return hash.digest('hex')
}
