// Where a store or a session lives: a path that is not a directory, or cannot become one, is a
// clear error that creates nothing; a session path taken by something else, or an orphaned
// trial log, is refused and left alone.
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CheckpointCorruptError, InvalidInputError, NotFoundError } from '@cairn/core'
import { createFsStore } from '../src/index.js'
import { advance, newHead, trial } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')

function refused(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a refusal')
}

describe('the store directory', () => {
  it.runIf(existsSync('/dev/null'))('a device (/dev/null) is refused at once', () => {
    const err = refused(() => createFsStore({ dir: '/dev/null' }))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err.message).toMatch(/dir: \[@cairn\/store-fs\] \/dev\/null is a character device, not a directory; .*nothing was created/)
  })

  it('a regular file, or a path under one, is refused at once and the file is left as it was', async () => {
    const file = join(dir, 'notes.txt')
    await writeFile(file, 'mine')
    for (const path of [file, join(file, 'store'), join(file, 'a', 'b')]) {
      const err = refused(() => createFsStore({ dir: path }))
      expect(err).toBeInstanceOf(InvalidInputError)
      expect(err.message).toMatch(/is a regular file, not a directory/)
    }
    expect(await readFile(file, 'utf8')).toBe('mine')
    expect(await readdir(dir)).toEqual(['notes.txt'])
  })

  it('a directory whose `sessions` is a file is not an fs store: refused, and list says so rather than "no sessions"', async () => {
    await writeFile(join(dir, 'sessions'), 'x')
    expect(refused(() => createFsStore({ dir }))).toBeInstanceOf(InvalidInputError)
    await rm(join(dir, 'sessions'))
    const store = createFsStore({ dir })
    await writeFile(join(dir, 'sessions'), 'x')
    await expect(store.list()).rejects.toThrow(/sessions is a regular file, not a directory/)
  })

  it.runIf(existsSync('/proc/self'))(
    'a place where no directory can be made (/proc/x): writes fail at once with InvalidInputError, reads find nothing, nothing spins',
    async () => {
      const store = createFsStore({ dir: '/proc/cairn-store' })
      expect((await store.list()).items).toEqual([])
      await expect(store.load('a')).rejects.toBeInstanceOf(NotFoundError)
      const err = await store.create(newHead('a')).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(InvalidInputError)
      expect((err as Error).message).toMatch(/cannot create the directory \/proc\/cairn-store: the filesystem refuses/)
      await expect(store.saveOverwrite('k', 'r', { kind: 'final', objective: 1, iteration: 1, payload: {} })).rejects.toBeInstanceOf(
        InvalidInputError,
      )
      expect(existsSync('/proc/cairn-store')).toBe(false)
    },
    20_000,
  )

  it('a store directory that does not exist yet: reads and operations on sessions create nothing', async () => {
    const missing = join(dir, 'later')
    const store = createFsStore({ dir: missing })
    expect((await store.list()).items).toEqual([])
    await expect(store.load('a')).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.acquireLease('a', 'o', 1000)).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.requestControl('a', 'pause')).rejects.toBeInstanceOf(NotFoundError)
    await store.delete('a')
    await store.releaseLease('a', { owner: 'o', fencingToken: 1, expiresAt: 0 })
    expect(await readdir(dir)).toEqual([])
    await store.create(newHead('a'))
    expect((await store.load('a')).sessionId).toBe('a')
  })
})

describe('a session path', () => {
  it('taken by a file: a typed error everywhere, the file left alone, the session listed as corrupt', async () => {
    const store = createFsStore({ dir })
    await store.create(newHead('ok'))
    const path = join(dir, 'sessions', 'x')
    await writeFile(path, 'not a session')
    const calls = [
      () => store.create(newHead('x')),
      () => store.load('x'),
      () => store.readTrials('x'),
      () => store.acquireLease('x', 'o', 1000),
      () => store.requestControl('x', 'pause'),
      () => store.commit('x', { expectedRevision: 0, fencingToken: 1, head: advance(newHead('x'), 1), trials: [trial(0)] }),
      () => store.delete('x'),
    ]
    for (const call of calls) {
      const err = await call().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CheckpointCorruptError)
      expect((err as Error).message).toMatch(
        /\[@cairn\/store-fs\] session "x" \(.*sessions\/x\) is corrupt: it is a regular file, not a directory/,
      )
    }
    expect(await readFile(path, 'utf8')).toBe('not a session')
    expect((await store.list()).items.map((l) => [l.sessionId, l.status])).toEqual([
      ['ok', 'running'],
      ['x', 'corrupt'],
    ])
  })

  it('an orphaned trial log (its journal lost): create refuses and keeps it, naming the files', async () => {
    const store = createFsStore({ dir, journalBytes: 1 })
    await store.create(newHead('a'))
    let h = await store.load('a')
    for (let i = 0; i < 12; i++) {
      const next = advance(h, 1)
      const r = await store.commit('a', { expectedRevision: h.revision, fencingToken: 1, head: next, trials: [trial(i)] })
      h = { ...next, revision: r.revision }
    }
    const log = join(dir, 'sessions', 'a', 'trials.log')
    const bytes = await readFile(log)
    expect(bytes.length).toBeGreaterThan(0)
    await rm(join(dir, 'sessions', 'a', 'journal'))
    await expect(store.load('a')).rejects.toBeInstanceOf(NotFoundError)

    const err = await store.create(newHead('a')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(/session "a" .*trials\.log and .*trials\.idx but no journal.*Nothing was changed/)
    expect((await readFile(log)).equals(bytes)).toBe(true)
    expect((await stat(join(dir, 'sessions', 'a', 'trials.idx'))).size).toBeGreaterThan(0)
    await expect(store.load('a')).rejects.toBeInstanceOf(NotFoundError)

    // Moved away by the operator, the id is free again.
    await mkdir(join(dir, 'kept'))
    await writeFile(join(dir, 'kept', 'trials.log'), bytes)
    await rm(join(dir, 'sessions', 'a'), { recursive: true })
    await store.create(newHead('a'))
    expect(await store.readTrials('a')).toEqual([])
  })
})
