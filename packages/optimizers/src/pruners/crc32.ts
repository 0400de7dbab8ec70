/** CRC-32 (IEEE 802.3, as Python's `binascii.crc32` and zlib) of a string's UTF-8 bytes. */

const TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** The CRC-32 of `text` encoded as UTF-8, an unsigned 32-bit integer. */
export function crc32(text: string): number {
  let c = 0xffffffff
  // ASCII (every "<seed>_<trialIdx>") is its own UTF-8: no encoder needed.
  const ascii = /^[\x00-\x7f]*$/.test(text)
  const bytes = ascii ? undefined : new TextEncoder().encode(text)
  const n = bytes ? bytes.length : text.length
  for (let i = 0; i < n; i++) c = TABLE[(c ^ (bytes ? bytes[i]! : text.charCodeAt(i))) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
