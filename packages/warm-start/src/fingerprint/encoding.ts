/**
 * The byte layout a `Fingerprinter` feeds to SHA-256 (documented, with test vectors, in the
 * package README). Changing anything here changes every fingerprint: bump
 * `FINGERPRINT_ENCODING_VERSION` and say so in a changeset.
 *
 * ```text
 * stream   = preamble field*
 * preamble = "cairn/fingerprint" 0x00 version:u32be          (absorbed on construction)
 * field    = kind:u8 tagLength:u32be tag valueLength:u64be value
 * ```
 */
export const FINGERPRINT_ENCODING_VERSION = 1

/** ASCII `cairn/fingerprint`, a NUL, then the encoding version as a big-endian u32. */
export const PREAMBLE: Uint8Array = (() => {
  const label = Buffer.from('cairn/fingerprint\0', 'ascii')
  const out = Buffer.alloc(label.length + 4)
  label.copy(out, 0)
  out.writeUInt32BE(FINGERPRINT_ENCODING_VERSION, label.length)
  return out
})()

/** The kind byte that starts every field. */
export const FieldKind = {
  /** UTF-8 of a well-formed string. */
  string: 0x01,
  /** Raw bytes. */
  bytes: 0x02,
  /** IEEE 754 binary64, big-endian, -0 folded to +0 (NaN refused). */
  number: 0x03,
  /** Sign byte (0x00 for n ≥ 0, 0x01 for n < 0), then |n| big-endian without leading zero bytes (none for 0). */
  bigint: 0x04,
  /** UTF-8 of the value's canonical JSON (RFC 8785 / JCS: keys in UTF-16 code-unit order, no whitespace). */
  json: 0x05,
} as const

/** Bytes before the tag: kind (1) + tag length (4). */
export const TAG_PREFIX_BYTES = 5
/** Bytes of the value length. */
export const VALUE_LENGTH_BYTES = 8
