/**
 * The built CLI (dist/, what an installed `cairn` runs on plain Node) loads `cairn.config.ts` in
 * a project without `"type": "module"` and in a folder without any package.json, and `.mts`,
 * `.js` and `.mjs` configs too. The project lives in a temp folder outside this repository; its
 * node_modules links to the workspace's packages (their built dist/).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureBuilt } from './helpers/built.js'
import { runCli } from './helpers/cli.js'

const LINKED = ['cli', 'core', 'optimizers'] as const

let root: string
beforeAll(async () => {
  await ensureBuilt()
  root = await mkdtemp(join(tmpdir(), 'cairn-built-'))
  await mkdir(join(root, 'node_modules', '@cairn'), { recursive: true })
  for (const name of LINKED)
    await symlink(fileURLToPath(new URL(`../../${name}`, import.meta.url)), join(root, 'node_modules', '@cairn', name), 'dir')
}, 120_000)
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** A config with one job, `name`, of two trials; `typed` adds TypeScript-only syntax and a relative TypeScript import. */
function config(name: string, typed: boolean): string {
  return `import { float, space } from '@cairn/core'
import { defineConfig } from '@cairn/cli'
${typed ? `import { objective } from './objective'\ninterface Point { x: number }\nconst shift: number = await Promise.resolve(1)\n` : 'const objective = ({ x }) => x * x\nconst shift = 1\n'}
export default defineConfig({
  store: 'memory:',
  jobs: { ${JSON.stringify(name)}: { space: space({ x: float(0, 1) }), objective: ${typed ? '(p: Point) => objective(p) + shift' : '(p) => objective(p) + shift'}, maxTrials: 2, optimizer: 'random' } },
})
`
}

test('loads cairn.config.ts without "type": "module" and without package.json, and .mts, .js, .mjs configs', async () => {
  const bare = join(root, 'no-package-json')
  const legacy = join(root, 'commonjs-project')
  await mkdir(bare)
  await mkdir(legacy)
  await writeFile(join(legacy, 'package.json'), JSON.stringify({ name: 'commonjs-project', private: true }))
  for (const dir of [bare, legacy]) {
    await writeFile(join(dir, 'objective.ts'), 'export const objective = ({ x }: { x: number }): number => x * x\n')
    await writeFile(join(dir, 'cairn.config.ts'), config('ts', true))
  }
  await writeFile(join(bare, 'other.config.mts'), config('mts', true))
  await writeFile(join(bare, 'other.config.js'), config('js', false))
  await writeFile(join(bare, 'other.config.mjs'), config('mjs', false))

  const runs: Array<[string, string[], string]> = [
    [bare, [], 'ts'],
    [legacy, [], 'ts'],
    [bare, ['--config', 'other.config.mts'], 'mts'],
    [bare, ['--config', 'other.config.js'], 'js'],
    [bare, ['--config', 'other.config.mjs'], 'mjs'],
  ]
  const results = await Promise.all(runs.map(([cwd, flags, job]) => runCli([...flags, 'run', job, '--json'], { cwd, built: true })))
  results.forEach((r, i) => {
    const [cwd, flags, job] = runs[i] as [string, string[], string]
    expect({ cwd, flags, code: r.code, errors: r.stderr.split('\n').filter((l) => l.startsWith('error')) }).toEqual({
      cwd,
      flags,
      code: 0,
      errors: [],
    })
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', progress: { attempts: 2, errors: 0 } })
    expect(r.stderr).toMatch(new RegExp(`^started session "${job}-`))
  })
}, 120_000)
