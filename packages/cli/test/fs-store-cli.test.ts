/**
 * The CLI on `fs:` stores whose path is wrong, or whose journal lost its last write: the real
 * `cairn` CLI from source in child processes.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { FIXTURE_CONFIG, runCli } from './helpers/cli.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'
import { snapshot } from './helpers/tree.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-fs-cli-')

const cfg = ['--config', FIXTURE_CONFIG]

describe('an fs: store whose path is not a directory', () => {
  test('a device, a regular file or a path under one: exit 2, one clear line, nothing created', async () => {
    await writeFile(join(cwd, 'notes.txt'), 'mine')
    const cases: Array<[string[], RegExp]> = [
      [['--store', 'fs:/dev/null', 'ls'], /^error: dir: \[@cairn\/store-fs\] \/dev\/null is a character device, not a directory/],
      [['--store', 'fs:./notes.txt', 'ls'], /^error: dir: \[@cairn\/store-fs\] .*notes\.txt is a regular file, not a directory/],
      [['--store', 'fs:./notes.txt/store', 'show', 'x'], /notes\.txt\/store lies under .*notes\.txt, which is a regular file/],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd, env: { CAIRN_TEST_TRIAL_MS: '1' } })
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr.split('\n')[0]).toMatch(message)
      expect(r.stdout).toBe('')
    }
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('mine')
    expect(Object.keys(await snapshot(cwd))).toEqual(['notes.txt'])
  })

  test.runIf(existsSync('/proc/self'))(
    'fs:/proc/x: a run fails at once with exit 2 (it spun for ever), creating nothing',
    async () => {
      const r = await runCli([...cfg, '--store', 'fs:/proc/cairn-cli-test', 'run', 'quad', '--trials', '1'], {
        cwd,
        env: { CAIRN_TEST_TRIAL_MS: '1' },
      })
      expect(r.code).toBe(2)
      expect(r.stderr.split('\n')[0]).toMatch(
        /^error: dir: \[@cairn\/store-fs\] cannot create the directory \/proc\/cairn-cli-test: the filesystem refuses/,
      )
      expect(existsSync('/proc/cairn-cli-test')).toBe(false)
    },
    30_000,
  )
})

describe('a session whose last journal record was damaged', () => {
  test('`cairn resume` says which session and what was dropped, then completes it', async () => {
    const run = await runCli([...cfg, '--store', 'fs:./store', 'run', 'quad', '--trials', '3', '--session-id', 's'], {
      cwd,
      env: { CAIRN_TEST_TRIAL_MS: '1' },
    })
    expect(run.code).toBe(0)
    const journal = join(cwd, 'store', 'sessions', 's', 'journal')
    const bytes = await readFile(journal)
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0x10 // inside the last record: the commit that completed it
    await writeFile(journal, bytes)

    const resumed = await runCli([...cfg, '--store', 'fs:./store', 'resume', 's'], { cwd, env: { CAIRN_TEST_TRIAL_MS: '1' } })
    expect(resumed.code).toBe(0)
    const warning = resumed.stderr.split('\n').find((l) => l.startsWith('warning: '))
    expect(warning).toMatch(
      /^warning: \[@cairn\/store-fs\] session "s": the last record of its journal \(revision \d+, (no trials|trials? [\d–]+);.*\) was damaged .* and was dropped; the session goes on from revision \d+\. The bytes are kept in .*\.dropped$/,
    )
    expect(resumed.stdout).toMatch(/completed/)
  })
})
