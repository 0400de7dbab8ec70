import { CheckpointCorruptError, canonicalJson, type Json } from '@cairn/core'
import { PREFIX, invalidInput } from './errors.js'

/** `encodeState` / `decodeState` for a JSON-shaped state. */
export interface StateCodec<S> {
  encodeState(state: S): Uint8Array
  decodeState(bytes: Uint8Array, version: number): S
}

const utf8 = new TextEncoder()

/**
 * A codec storing the state as canonical JSON. `decodeState` refuses a version other than
 * `version` with an `InvalidInputError` naming both, and bytes that do not parse or fail
 * `check` with a `CheckpointCorruptError`.
 */
export function jsonStateCodec<S extends Json>(optimizer: string, version: number, check: (value: unknown) => value is S): StateCodec<S> {
  return {
    encodeState: (state) => utf8.encode(canonicalJson(state)),
    decodeState(bytes, found) {
      if (found !== version) throw invalidInput(optimizer, `unknown state version ${String(found)}, expected ${version}`)
      let value: unknown
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
      } catch (err) {
        throw new CheckpointCorruptError(`${PREFIX} ${optimizer} state`, 'not valid JSON', { cause: err })
      }
      if (!check(value)) throw new CheckpointCorruptError(`${PREFIX} ${optimizer} state`, 'unexpected shape')
      return value
    },
  }
}
