// Issue 14's crash test on LevelDB: a trial SIGKILLed after its 7th checkpoint continues from
// that checkpoint in the next process (one process opens the database at a time).
import { fileURLToPath } from 'node:url'
import { describeTrialResume, removeDir, tempDir } from '@cairn/testkit'
import { childModulePath } from '../../../vitest.children.js'
import { createLevelStore } from '../src/index.js'

const storeChild = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url))

describeTrialResume('@cairn/store-level', async () => {
  const dir = await tempDir('cairn-level-trial-resume-')
  return {
    store: createLevelStore({ location: dir }),
    corruptHead: async () => undefined,
    child: { module: childModulePath(storeChild), args: [dir] },
    cleanup: () => removeDir(dir),
  }
})
