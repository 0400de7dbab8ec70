const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const native = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed

/**
 * True when `s` has no lone surrogate, so its UTF-8 encoding is lossless (a lone surrogate
 * would become U+FFFD and collide with a real U+FFFD).
 */
export function isWellFormed(s: string): boolean {
  return native ? native.call(s) : !LONE_SURROGATE.test(s)
}
