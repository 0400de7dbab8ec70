/** The README's example config is real: it is extracted, loaded and run by the CLI. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { runCli } from './helpers/cli.js'

const dir = fileURLToPath(new URL('./.tmp/readme/', import.meta.url))
afterAll(() => rm(dir, { recursive: true, force: true }))

test("the README's cairn.config.ts runs: `cairn run bowl`, `cairn ls --json`", async () => {
  const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const config = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(config).toContain('defineConfig(')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'cairn.config.ts'), config as string)
  const run = await runCli(['run', 'bowl', '--trials', '5', '--session-id', 'readme'], { cwd: dir })
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('completed (max-trials): session "readme" after 5 trials')
  const ls = await runCli(['ls', '--json'], { cwd: dir })
  expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ sessionId: 'readme', job: 'bowl', status: 'completed', completed: 5 })])
})
