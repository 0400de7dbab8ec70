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
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // Beyond ASCII (never in "<seed>_<trialIdx>"), hash the UTF-8 bytes.
    if (code > 0x7f) return crc32Bytes(new TextEncoder().encode(text))
    c = TABLE[(c ^ code) & 0xff]! ^ (c >>> 8)
  }
  return (c ^ 0xffffffff) >>> 0
}

function crc32Bytes(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
