/**
 * A session over a conditional space survives a real SIGKILL: `cairn run` is killed with a
 * trial in flight, `cairn resume` finishes it, and the trial log equals that of a run never
 * interrupted (same candidates, each holding exactly its active parameters).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertCandidate } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { expect, test } from 'vitest'
import { modelSpace } from './fixtures/conditional.config.js'
import { runCli, startCli } from './helpers/cli.js'

const cfg = ['--config', fileURLToPath(new URL('./fixtures/conditional.config.ts', import.meta.url)), '--store', 'fs:./store']

async function trialsOf(dir: string, id: string) {
  const store = createFsStore({ dir })
  try {
    return await store.readTrials(id)
  } finally {
    await store.close()
  }
}

test('conditional space: killed with SIGKILL mid-trial and resumed → the trials of an uninterrupted run', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'cairn-cond-'))
  try {
    const straight = await runCli([...cfg, 'run', 'models', '--session-id', 'straight'], { cwd })
    expect(straight.code).toBe(0)

    const run = startCli([...cfg, 'run', 'models', '--session-id', 'crashed'], { cwd, env: { CAIRN_TEST_GATE: cwd } })
    for (const i of [0, 1, 2, 3, 4]) await writeFile(join(cwd, `release-${i}`), '')
    await run.waitFor(/^5\/10 trials/)
    await run.waitFor(/started trial 5/)
    run.child.kill('SIGKILL')
    await run.exited
    const resumed = await runCli([...cfg, 'resume', 'crashed'], { cwd })
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(/completed \(max-trials\): session "crashed" after 10 trials/)

    const want = await trialsOf(join(cwd, 'store'), 'straight')
    const got = await trialsOf(join(cwd, 'store'), 'crashed')
    expect(want).toHaveLength(10)
    for (const t of want) assertCandidate(modelSpace, t.candidate)
    expect(got.map((t) => [t.trialIdx, t.candidate, t.score])).toEqual(want.map((t) => [t.trialIdx, t.candidate, t.score]))
    expect(new Set(want.map((t) => (t.candidate as { family: string }).family)).size).toBeGreaterThan(1)
  } finally {
    await rm(cwd, { recursive: true, force: true })
  }
}, 120_000)
