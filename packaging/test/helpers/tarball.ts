import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

/** The files of an npm tarball (paths as stored, e.g. `package/LICENSE`) and their contents. */
export function readTarball(file: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(file))
  const entries = new Map<string, Buffer>()
  let longName: string | undefined
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    const field = (from: number, length: number) => header.toString('utf8', from, from + length).replace(/\0.*$/s, '')
    const size = Number.parseInt(field(124, 12).trim() || '0', 8)
    const type = field(156, 1)
    const body = tar.subarray(at + 512, at + 512 + size)
    const prefix = field(345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))
    longName = undefined
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '')
    else if (type === '0' || type === '') entries.set(name, Buffer.from(body))
    at += 512 + Math.ceil(size / 512) * 512
  }
  return entries
}
