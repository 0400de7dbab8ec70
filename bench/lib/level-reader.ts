/**
 * A second process watching a LevelDB store another process holds, as `cairn ls`/`show` or a
 * dashboard would, only busier: it reads through the holder (`shareReads`) in a loop — the
 * session's trials since the last read, then its head — pausing `pollMs` between rounds, until
 * its stdin closes. Prints "reading" once connected.
 *
 *   node --conditions=@cairn/source --import tsx bench/lib/level-reader.ts <location> <sessionId> <pollMs>
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createLevelStore } from '@cairn/store-level'

const [location, sessionId, pollMs] = process.argv.slice(2) as [string, string, string]
const store = createLevelStore({ location, shareReads: true })
await store.open()
if (!store.readsThrough) throw new Error('level-reader: expected another process to hold the store')
process.stdout.write('reading\n')
let open = true
process.stdin.on('close', () => (open = false)).resume()
let from = 0
while (open) {
  from += (await store.readTrials(sessionId, { from })).length
  const head = await store.load(sessionId)
  if (head.progress.attempts < from) throw new Error('level-reader: read more trials than the head counts')
  await sleep(Number(pollMs))
}
await store.close()
