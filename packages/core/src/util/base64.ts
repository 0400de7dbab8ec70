/** Standard base64 (`+/`, `=` padding), as `toBase64` writes it. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The base64 of `bytes` (without copying them). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** The bytes of a base64 text, or undefined when it is not base64 (a stored record's damage). */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !BASE64.test(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'base64'))
}
