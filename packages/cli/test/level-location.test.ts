/**
 * `--store level:<dir>` where <dir> is not a LevelDB database, or is a damaged one: the real CLI
 * in child processes says so in one line, creates nothing and changes nothing.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createCairn, loadConfig } from '@cairn/cli'
import { expect, test } from 'vitest'
import { FIXTURE_CONFIG, runCli } from './helpers/cli.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'
import { snapshot } from './helpers/tree.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-cli-level-')

const cfg = ['--config', FIXTURE_CONFIG]

/** Runs a short session of the fixture's `quad` job on `store` (in this process: the stores are what is under test). */
async function seed(store: string): Promise<void> {
  const { config } = await loadConfig({ path: FIXTURE_CONFIG })
  const cairn = createCairn({ ...config, store })
  try {
    await (await cairn.start('quad', { sessionId: 'keep', maxTrials: 3 })).wait()
  } finally {
    await cairn.close()
  }
}

test('level: on an fs store or a file → exit 2 and nothing created; on a damaged database → exit 3 naming the damage, its files as found', async () => {
  await seed(`fs:${join(cwd, 'fs-store')}`)
  await seed(`level:${join(cwd, 'db')}`)
  await writeFile(join(cwd, 'notes.txt'), 'my notes')
  const fsBefore = await snapshot(join(cwd, 'fs-store'))

  const refused: Array<[string, RegExp]> = [
    [
      'level:./fs-store',
      /^error: \[@cairn\/store-level\] location: ".*\/fs-store" is not a LevelDB database: it holds .*sessions.*\. Nothing was created in it\. It looks like an @cairn\/store-fs store/,
    ],
    ['level:./notes.txt', /^error: \[@cairn\/store-level\] location: ".*\/notes\.txt" is a file, not a directory/],
  ]
  for (const [store, message] of refused) {
    const r = await runCli(['--store', store, 'ls'], { cwd })
    expect({ store, code: r.code }).toEqual({ store, code: 2 })
    expect(r.stderr.split('\n')[0]).toMatch(message)
  }
  expect(await snapshot(join(cwd, 'fs-store'))).toEqual(fsBefore)
  expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('my notes')

  // One flipped bit in the LevelDB write-ahead log.
  const log = (await readdir(join(cwd, 'db'))).find((n) => n.endsWith('.log')) as string
  const bytes = await readFile(join(cwd, 'db', log))
  const at = Math.floor(bytes.length / 3)
  bytes[at] = (bytes[at] as number) ^ 0x10
  await writeFile(join(cwd, 'db', log), bytes)
  const dbBefore = await snapshot(join(cwd, 'db'))
  const r = await runCli([...cfg, '--store', 'level:./db', 'resume', 'keep'], { cwd })
  expect(r.code).toBe(3)
  expect(r.stderr.split('\n')[0]).toMatch(
    new RegExp(
      `^error: \\[@cairn/store-level\\] the LevelDB database at ".*/db" is corrupt: ${log} is damaged at byte \\d+ \\(checksum mismatch\\)`,
    ),
  )
  const dbAfter = await snapshot(join(cwd, 'db'))
  for (const name of ['LOG', 'LOG.old', 'LOCK']) {
    delete dbBefore[name]
    delete dbAfter[name]
  }
  expect(dbAfter).toEqual(dbBefore)
})
