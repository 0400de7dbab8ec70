import { canonicalJson } from './canonical-json.js'
import { keepJsonText, keptJsonText } from './kept-json.js'

/**
 * A deep-frozen copy of a JSON value, whose canonical JSON is kept: encoders made with
 * `reuseKeptTexts` (the checkpoint head's) write that text without walking the value again.
 * For the parts of a checkpoint head that stay the same from one commit to the next (the
 * driver's `freezeConstantParts`: the space, the settings, warm-start seeds …), so a commit
 * costs what changed, not the size of the session's constants. Primitives, copies it made and values with no
 * JSON form come back as they are (the store's encoder refuses the latter as before).
 */
export function freezeJson<T>(value: T): T {
  if (value === null || typeof value !== 'object' || keptJsonText(value) !== undefined) return value
  let text: string
  try {
    text = canonicalJson(value)
  } catch {
    return value
  }
  const copy = deepFreeze(JSON.parse(text) as object)
  keepJsonText(copy, text)
  return copy as T
}

function deepFreeze(value: object): object {
  for (const item of Object.values(value)) if (item !== null && typeof item === 'object') deepFreeze(item)
  return Object.freeze(value)
}
