import { SUBLEVEL, TRIAL_INDEX_DIGITS } from './keys.js'

/**
 * Names the sessions (and trials) whose keys occur in raw write-ahead-log bytes, e.g. the part
 * of a log LevelDB would skip after a damaged record: `session "fit-1" (head, trials 4–6)`.
 *
 * A write batch stores each key as `varint length · key`, and this store's keys read
 * `!head!<id>`, `!listing!<id>` or `!trial!<id>:<index>`; a key is taken at its stated length
 * when that parses, else up to the first byte a session id cannot hold (the bytes may be
 * damaged, so this is a best effort: it names what it can read). Null when it finds none.
 */
export function touchedByLog(bytes: Uint8Array): string | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const sessions = new Map<string, { head: boolean; trials: Set<number> }>()
  for (const match of text.matchAll(KEY_START)) {
    const key = keyAt(bytes, text, match.index)
    if (!key) continue
    let seen = sessions.get(key.sessionId)
    if (!seen) sessions.set(key.sessionId, (seen = { head: false, trials: new Set() }))
    if (key.trialIdx === undefined) seen.head = true
    else seen.trials.add(key.trialIdx)
  }
  if (sessions.size === 0) return null
  return [...sessions]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { head, trials }]) => {
      const parts = [
        ...(head ? ['head'] : []),
        ...(trials.size > 0 ? [`${trials.size === 1 ? 'trial' : 'trials'} ${ranges([...trials])}`] : []),
      ]
      return `session "${id}" (${parts.join(', ')})`
    })
    .join(', ')
}

const KEY_START = new RegExp(`!(?:${SUBLEVEL.head}|${SUBLEVEL.listing}|${SUBLEVEL.trial})!`, 'g')
const KEY = new RegExp(
  `^!(${SUBLEVEL.head}|${SUBLEVEL.listing}|${SUBLEVEL.trial})!([A-Za-z0-9][A-Za-z0-9._-]{0,127})(?::(\\d{${TRIAL_INDEX_DIGITS}}))?$`,
)
const LOOSE_KEY = new RegExp(
  `^!(${SUBLEVEL.head}|${SUBLEVEL.listing}|${SUBLEVEL.trial})!([A-Za-z0-9][A-Za-z0-9._-]{0,127})(?::(\\d{${TRIAL_INDEX_DIGITS}}))?`,
)

function keyAt(bytes: Uint8Array, text: string, at: number): { sessionId: string; trialIdx?: number } | null {
  // The key's length precedes it: one varint byte (< 128), or two.
  const one = bytes[at - 1]
  const two = bytes[at - 2]
  const lengths = [
    one !== undefined && one < 0x80 ? one : undefined,
    one !== undefined && two !== undefined && two >= 0x80 && one < 0x80 ? (two & 0x7f) | (one << 7) : undefined,
  ]
  for (const length of lengths) {
    if (length === undefined) continue
    const parsed = parse(KEY.exec(text.slice(at, at + length)))
    if (parsed) return parsed
  }
  return parse(LOOSE_KEY.exec(text.slice(at, at + 160)))
}

function parse(m: RegExpExecArray | null): { sessionId: string; trialIdx?: number } | null {
  if (!m) return null
  const [, sublevel, sessionId, index] = m
  if (sessionId === undefined) return null
  if (sublevel === SUBLEVEL.trial) return index === undefined ? null : { sessionId, trialIdx: Number(index) }
  return index === undefined ? { sessionId } : null
}

/** `[4, 5, 6, 9]` → `4–6, 9`. */
function ranges(values: number[]): string {
  const sorted = values.sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`)
    i = j + 1
  }
  return out.join(', ')
}
