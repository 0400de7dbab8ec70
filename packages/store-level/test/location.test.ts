/**
 * Where a database may be created: only where there is none yet. A location holding anything
 * else is refused with a clear error, and nothing is created in it.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CheckpointCorruptError, InvalidInputError } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { describe, expect, it } from 'vitest'
import { createLevelStore } from '../src/index.js'
import { newHead } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-level-')

/** Opens a store at `location`, returns the error it gives (or null) and closes it. */
async function openError(location: string): Promise<unknown> {
  const store = createLevelStore({ location })
  try {
    await store.open()
    return null
  } catch (err) {
    return err
  } finally {
    await store.close()
  }
}

/** Every entry under `path`, recursively, with file contents. */
async function tree(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(path, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name)
    out[p] = e.isFile() ? await readFile(p, 'latin1') : '<dir>'
  }
  return out
}

describe('a location that cannot hold a database', () => {
  it("an @cairn/store-fs store's directory → InvalidInputError naming it and pointing to fs:, nothing created", async () => {
    const fsDir = join(dir, 'fs-store')
    const fsStore = createFsStore({ dir: fsDir })
    await fsStore.create(newHead('kept'))
    await fsStore.close()
    const before = await tree(fsDir)
    const err = await openError(fsDir)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as Error).message).toMatch(
      new RegExp(
        `^\\[@cairn/store-level\\] location: "${fsDir}" is not a LevelDB database: it holds .*sessions.*\\. Nothing was created in it\\.`,
      ),
    )
    expect((err as Error).message).toContain(
      `It looks like an @cairn/store-fs store: open it with @cairn/store-fs (fs:${fsDir} in the cairn CLI)`,
    )
    expect(await tree(fsDir)).toEqual(before)
  })

  it('any other non-empty directory → InvalidInputError listing what it holds, nothing created', async () => {
    const project = join(dir, 'project')
    await mkdir(join(project, 'src'), { recursive: true })
    await writeFile(join(project, 'package.json'), '{}')
    const before = await tree(project)
    const err = await openError(project)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as Error).message).toContain(
      `"${project}" is not a LevelDB database: it holds package.json, src. Nothing was created in it.`,
    )
    expect(await tree(project)).toEqual(before)
  })

  it('a regular file → InvalidInputError, the file untouched', async () => {
    const file = join(dir, 'notes.txt')
    await writeFile(file, 'my notes')
    const err = await openError(file)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as Error).message).toBe(
      `[@cairn/store-level] location: "${file}" is a file, not a directory. A LevelDB store keeps its database in a directory of its own: give a new or empty one`,
    )
    expect(await readFile(file, 'utf8')).toBe('my notes')
    expect(await readdir(dir)).toEqual(['notes.txt'])
  })

  it('a path through a file → InvalidInputError, nothing created', async () => {
    await writeFile(join(dir, 'notes.txt'), 'my notes')
    const err = await openError(join(dir, 'notes.txt', 'db'))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as Error).message).toMatch(/a part of the path is a file/)
    expect(await readdir(dir)).toEqual(['notes.txt'])
  })

  it('LevelDB files without CURRENT → CheckpointCorruptError (a new database would hide the data), nothing changed', async () => {
    const db = join(dir, 'db')
    const store = createLevelStore({ location: db })
    await store.create(newHead('kept'))
    await store.close()
    await rm(join(db, 'CURRENT'))
    const before = await tree(db)
    const err = await openError(db)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(
      /its CURRENT file is missing, so LevelDB cannot tell which MANIFEST describes its files \(\d+\.log, MANIFEST-\d+/,
    )
    expect(await tree(db)).toEqual(before)
  })
})

describe('where a database is created', () => {
  it('a missing directory (and its parents), an empty one, or one holding only what a failed open left', async () => {
    const leftovers = join(dir, 'leftovers')
    await mkdir(leftovers)
    await writeFile(join(leftovers, 'LOG'), '')
    await writeFile(join(leftovers, 'LOCK'), '')
    const empty = join(dir, 'empty')
    await mkdir(empty)
    for (const location of [join(dir, 'a', 'b', 'new'), empty, leftovers]) {
      const store = createLevelStore({ location })
      await store.create(newHead('s'))
      await store.close()
      expect(existsSync(join(location, 'CURRENT'))).toBe(true)
      const again = createLevelStore({ location })
      expect((await again.load('s')).revision).toBe(0)
      await again.close()
    }
  })
})
