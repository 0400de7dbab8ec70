import type { CheckpointHead } from '../checkpoint/types.js'
import { freezeJson } from '../util/frozen-json.js'

/** The parts of a head a driver never changes while it runs (`limits` it sets from its own, frozen the same way). */
const CONSTANT_PARTS = ['optimizer', 'optimizerOptions', 'space', 'settings', 'warmStart', 'seeds'] as const

/**
 * A copy of `head` whose constant parts are frozen copies (`freezeJson`): every commit of the
 * drive reuses their canonical JSON instead of encoding them again (and their schema check,
 * see `isHeadBody`), so a large space or a thousand warm-start seeds cost once per drive, not
 * once per trial.
 */
export function freezeConstantParts(head: CheckpointHead): CheckpointHead {
  const out = { ...head } as Record<string, unknown>
  for (const key of CONSTANT_PARTS) if (out[key] !== undefined) out[key] = freezeJson(out[key])
  return out as unknown as CheckpointHead
}
