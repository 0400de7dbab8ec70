import { once } from 'node:events'
import { InvalidInputError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { LevelLockedError, createLevelStore } from '../src/index.js'
import { collect, spawnFixture } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-level-')

describe('one process per database', () => {
  it('a second process opening the same location gets a clear locked error', async () => {
    const store = createLevelStore({ location: dir })
    await store.open()
    try {
      const result = await collect(spawnFixture('open-store.ts', [dir, 'try']))
      expect(result.stderr).toBe('')
      const report = JSON.parse(result.stdout.trim()) as Record<string, unknown>
      expect(report).toMatchObject({ opened: false, name: 'LevelLockedError', code: 'INVALID_INPUT', locked: true })
      expect(report.message).toContain(`"${dir}"`)
      expect(report.message).toMatch(/one process per database/)
      expect(report.message).toMatch(/@cairn\/store-fs/)
      expect(report.message).toMatch(/@cairn\/store-dynamodb/)
    } finally {
      await store.close()
    }
  }, 60_000)

  it('this process gets it, naming the child, while a child holds the database, and can open once the child is gone', async () => {
    const child = spawnFixture('open-store.ts', [dir, 'hold'])
    const exited = collect(child)
    const [line] = (await once(child.stdout!, 'data')) as [Buffer]
    expect(JSON.parse(line.toString())).toEqual({ opened: true })
    const store = createLevelStore({ location: dir })
    const err = await store.open().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(LevelLockedError)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as LevelLockedError).location).toBe(dir)
    expect((err as LevelLockedError).holder?.pid).toBe(child.pid)
    expect((err as Error).message).toContain(`process ${child.pid} (open-store`)
    expect((err as Error).message).toMatch(/answers reads and pause or cancel requests .*shareReads: true/)
    child.kill('SIGKILL')
    await exited
    // A failed open is retried by the next call.
    await store.open()
    expect((await store.list()).items).toEqual([])
    await store.close()
  }, 60_000)

  it('two stores on one location in one process: the second is refused too', async () => {
    const a = createLevelStore({ location: dir })
    const b = createLevelStore({ location: dir })
    await a.open()
    await expect(b.list()).rejects.toThrow(LevelLockedError)
    await a.close()
    await b.close()
  })
})
