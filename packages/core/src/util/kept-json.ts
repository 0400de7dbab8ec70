/** The canonical JSON of each value `freezeJson` made (deep-frozen, so it cannot go stale). */
const texts = new WeakMap<object, string>()

/** Keeps `text` as the canonical JSON of the deep-frozen `value`. For `freezeJson` only. */
export function keepJsonText(value: object, text: string): void {
  texts.set(value, text)
}

/** The canonical JSON kept for `value` by `freezeJson`, if it made it. */
export function keptJsonText(value: object): string | undefined {
  return texts.get(value)
}
