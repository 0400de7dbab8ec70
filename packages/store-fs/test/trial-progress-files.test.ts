// What a trial progress save leaves on disk: one file per trial (no side file), replaced whole;
// a save cut short (its temporary file, torn) is never read. The SIGKILL version of the second
// point is the testkit's progress-loop crash test.
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CheckpointCorruptError } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { encodeProgressHeader } from '../src/progress-file.js'
import { newHead, tempDir } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  store = createFsStore({ dir })
  await store.create(newHead('a'))
})
afterEach(async () => {
  await store.close()
  await cleanup()
})

const progressDir = () => join(dir, 'sessions', 'a', 'progress')
const bytesOf = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 7 + seed) & 0xff)
/** Byte equality without vitest's element-by-element comparison (slow on megabytes). */
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(b)

it('each save leaves one file per trial, nothing beside it: sizes up and down, across the sync-write limit, a higher token', async () => {
  const sizes = [2_313, 103_689, 1_500_000, 10, 900_000]
  for (const [k, n] of sizes.entries()) {
    await store.saveTrialProgress('a', 3, 5, bytesOf(n, k))
    expect(await readdir(progressDir())).toEqual(['3-5.bin'])
    expect(same((await store.loadTrialProgress('a', 3))?.bytes, bytesOf(n, k))).toBe(true)
  }
  await store.saveTrialProgress('a', 3, 6, bytesOf(50, 9))
  expect(await readdir(progressDir())).toEqual(['3-6.bin'])
  expect(await store.loadTrialProgress('a', 3)).toEqual({ token: 6, bytes: bytesOf(50, 9) })
})

it('a torn save (its temporary file cut short) is never read: the previous save loads, the next save and delete clear it', async () => {
  await store.saveTrialProgress('a', 3, 5, bytesOf(2_000, 1))
  // A save of token 7 that died mid-write: half of its bytes in its temporary file.
  const whole = Buffer.concat([encodeProgressHeader(3, 7, 4_000), bytesOf(4_000, 2)])
  await writeFile(join(progressDir(), `3-7.bin.999-1.tmp`), whole.subarray(0, 2_000))
  expect(await store.loadTrialProgress('a', 3)).toEqual({ token: 5, bytes: bytesOf(2_000, 1) })
  await store.saveTrialProgress('a', 3, 5, bytesOf(3_000, 3))
  expect(await store.loadTrialProgress('a', 3)).toEqual({ token: 5, bytes: bytesOf(3_000, 3) })
  await store.deleteTrialProgress('a', 3)
  expect(await readdir(progressDir())).toEqual([])
})

it('a save file damaged in place (torn from below) is refused, not returned', async () => {
  await store.saveTrialProgress('a', 3, 5, bytesOf(2_000, 1))
  const path = join(progressDir(), '3-5.bin')
  const file = Buffer.concat([encodeProgressHeader(3, 5, 2_000), bytesOf(1_000, 1)])
  await writeFile(path, file)
  await expect(store.loadTrialProgress('a', 3)).rejects.toBeInstanceOf(CheckpointCorruptError)
})

it('trial indexes and tokens past 2^32 are written and read back whole (the header holds them as u64)', async () => {
  const token = 2 ** 44 + 2 ** 21 - 1
  await store.saveTrialProgress('a', 2 ** 33 + 1, token, bytesOf(300, 4))
  expect(await store.loadTrialProgress('a', 2 ** 33 + 1)).toEqual({ token, bytes: bytesOf(300, 4) })
})
