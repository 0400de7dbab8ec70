// What a trial progress save leaves in the database: one key for a save of up to 1 MiB (the
// manifest carrying the bytes), the manifest and its chunks beyond; the previous save's chunks
// go in the same write. A process killed mid-save is crash.test.ts's progress loop.
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createLevelStore } from '../src/index.js'
import { SUBLEVEL } from '../src/keys.js'
import { newHead, withRawDatabase } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-level-')

const bytesOf = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 7 + seed) & 0xff)

/** The keys of the `progress` sublevel, read from the closed database. */
async function progressKeys(location: string): Promise<string[]> {
  return withRawDatabase(location, async (db) => {
    const progress = db.sublevel<string, Uint8Array>(SUBLEVEL.progress, { keyEncoding: 'utf8', valueEncoding: 'view' })
    return progress.keys().all()
  })
}

it('a save is its manifest alone up to 1 MiB, with its chunks beyond; a smaller save after a chunked one leaves one key', async () => {
  const location = join(dir, 'db')
  const steps: [number, number, number][] = [
    // [bytes, token, keys after the save]
    [103_689, 5, 1],
    [103_689, 5, 1],
    [2_500_000, 5, 4],
    [2_313, 5, 1],
    [1_048_577, 6, 3],
    [50, 7, 1],
  ]
  for (const [k, [size, token, keys]] of steps.entries()) {
    const store = createLevelStore({ location })
    if (k === 0) await store.create(newHead('a'))
    await store.saveTrialProgress('a', 2, token, bytesOf(size, k))
    const loaded = await store.loadTrialProgress('a', 2)
    expect(loaded?.token).toBe(token)
    expect(loaded !== null && Buffer.from(loaded.bytes).equals(bytesOf(size, k))).toBe(true)
    await store.close()
    expect((await progressKeys(location)).length).toBe(keys)
  }
})

it('a token past 2^32 is written and read back whole from the manifest, and fences a lower one after a reopen', async () => {
  const location = join(dir, 'db')
  const token = 2 ** 44 + 2 ** 21 - 1
  let store = createLevelStore({ location })
  await store.create(newHead('a'))
  await store.saveTrialProgress('a', 2, token, bytesOf(300, 4))
  await store.close()
  store = createLevelStore({ location })
  try {
    await expect(store.saveTrialProgress('a', 2, token - 2 ** 32, bytesOf(10, 1))).rejects.toMatchObject({ code: 'LEASE_LOST' })
    expect(await store.loadTrialProgress('a', 2)).toEqual({ token, bytes: bytesOf(300, 4) })
  } finally {
    await store.close()
  }
})
