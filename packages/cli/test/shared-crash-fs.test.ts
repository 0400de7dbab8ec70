/**
 * Many workers, one session, on an fs: store, with real processes: `cairn run shared`
 * coordinates and `cairn worker` processes evaluate; workers and coordinators are SIGKILLed
 * mid-run (see `expectCrashRunCorrect`).
 */
import { join } from 'node:path'
import { test } from 'vitest'
import { createFsStore } from '@cairn/store-fs'
import { expectCrashRunCorrect } from './helpers/shared-run.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-shared-fs-')

test('1 coordinator + 4 workers on an fs: store, SIGKILLed mid-run: every trial committed once, the candidates of a local run', async () => {
  const store = createFsStore({ dir: join(cwd, 'store') })
  try {
    await expectCrashRunCorrect(cwd, 'fs:./store', store)
  } finally {
    await store.close()
  }
})
