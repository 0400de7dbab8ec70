/**
 * Cairn as a new user gets it: every package packed by `release:pack`, installed with plain
 * npm into a project outside this repository, then used there — the `cairn` bin on a
 * `cairn.config.ts`, an ESM embedding script, the declarations under three module
 * resolutions, `require()`, and an outside optimizer plugin running testkit's suite with its
 * real-process test. Needs the registry for third-party dependencies; builds the packages
 * first when their `dist/` is missing or stale.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { run, runOk } from './helpers/run.js'
import { createOutsideProject, type OutsideProject } from './helpers/outside-project.js'
import { readTarball } from './helpers/tarball.js'
import { ensureBuilt, publicPackages, ROOT } from './helpers/workspace.js'

let outside: OutsideProject

beforeAll(async () => {
  await ensureBuilt()
  outside = await createOutsideProject()
}, 900_000)

afterAll(() => {
  if (outside) rmSync(outside.dir, { recursive: true, force: true })
})

async function plannedVersions(): Promise<Map<string, string>> {
  const out = join(outside.dir, 'plan.json')
  await runOk('pnpm', ['exec', 'changeset', 'status', `--output=${out}`], ROOT)
  const plan = JSON.parse(readFileSync(out, 'utf8')) as { releases: Array<{ name: string; newVersion: string }> }
  return new Map(plan.releases.map((r) => [r.name, r.newVersion]))
}

describe.concurrent('installed from the tarballs of release:pack, outside the workspace', () => {
  test('release:pack writes one tarball per package: the planned version, ^ranges on @cairn packages, LICENSE, no build info or tests', async ({
    expect,
  }) => {
    const planned = await plannedVersions()
    expect([...outside.tarballs.keys()].sort()).toEqual(
      publicPackages()
        .map((p) => p.manifest.name)
        .sort(),
    )
    for (const [name, file] of outside.tarballs) {
      const entries = readTarball(file)
      const files = [...entries.keys()]
      const manifest = JSON.parse(entries.get('package/package.json')?.toString('utf8') ?? 'null')
      expect({ name, version: manifest.version }).toEqual({ name, version: planned.get(name) })
      expect({ name, workspaceRanges: JSON.stringify(manifest).includes('workspace:') }).toEqual({ name, workspaceRanges: false })
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries<string>(manifest[field] ?? {})) {
          if (dep.startsWith('@cairn/')) expect({ name, dep, range }).toEqual({ name, dep, range: `^${planned.get(dep)}` })
        }
      }
      expect({ name, license: files.includes('package/LICENSE') }).toEqual({ name, license: true })
      expect({ name, junk: files.filter((f) => /\.tsbuildinfo$|(^|\/)test\/|\.test\.[cm]?[jt]s$/.test(f)) }).toEqual({ name, junk: [] })
      const targets = Object.values<string | Record<string, string>>(manifest.exports).flatMap((t) =>
        typeof t === 'string' ? [t] : Object.values(t),
      )
      const missing = [...targets, ...Object.values<string>(manifest.bin ?? {})]
        .map((t) => `package/${t.replace(/^\.\//, '')}`)
        .filter((t) => !files.includes(t))
      expect({ name, missing }).toEqual({ name, missing: [] })
    }
  })

  test('the quick start job runs from cairn.config.ts through the cairn bin, on the embedded default store; --version is the packed version', async ({
    expect,
  }) => {
    const ran = await runOk(outside.bin('cairn'), ['run', 'bowl', '--json'], outside.dir)
    expect(JSON.parse(ran.stdout)).toMatchObject({ sessionId: 'bowl', status: 'completed', progress: { attempts: 8, completed: 8 } })
    expect(existsSync(join(outside.dir, '.cairn'))).toBe(true) // level:./.cairn, the default store
    const listed = JSON.parse((await runOk(outside.bin('cairn'), ['ls', '--json', '--optimizer', 'tpe'], outside.dir)).stdout)
    expect(listed).toMatchObject([{ sessionId: 'bowl', status: 'completed', optimizer: '@cairn/optimizers/tpe' }])
    const version = (await runOk(outside.bin('cairn'), ['--version'], outside.dir)).stdout.trim()
    const installed = JSON.parse(readFileSync(join(outside.dir, 'node_modules', '@cairn', 'cli', 'package.json'), 'utf8')).version
    expect(version).toBe(installed)
    expect(version).not.toBe('0.0.0')
  })

  test('an ESM script embeds the session driver with a store and an optimizer', async ({ expect }) => {
    const ran = await runOk('node', ['embed.mjs'], outside.dir)
    expect(JSON.parse(ran.stdout)).toEqual({ status: 'completed', attempts: 6, trials: 6 })
  })

  test('require() of a Cairn package or subpath says it is ESM only', async ({ expect }) => {
    for (const specifier of ['@cairn/core', '@cairn/core/store-kit', '@cairn/store-level/testing', '@cairn/cli', '@cairn/testkit']) {
      const pkg = specifier.split('/').slice(0, 2).join('/')
      const r = await run('node', ['-e', `require(${JSON.stringify(specifier)})`], outside.dir)
      expect({ specifier, code: r.code }).toEqual({ specifier, code: 1 })
      expect(r.stderr).toContain(`${pkg} is ESM only: use import`)
    }
  })

  test('the declarations type-check under moduleResolution nodenext, bundler and node10', async ({ expect }) => {
    // One build-mode run checks the three projects and parses the shared declarations once;
    // --verbose names the project before its errors.
    const projects = ['nodenext', 'bundler', 'node10'].map((mode) => `types/tsconfig.${mode}.json`)
    const r = await run(outside.bin('tsc'), ['--build', '--verbose', ...projects], outside.dir)
    expect({ code: r.code, errors: r.stdout.includes('error TS') ? r.stdout : '' }).toEqual({ code: 0, errors: '' })
    for (const project of projects) expect(r.stdout).toContain(`Building project '${join(outside.dir, project)}'`)
  })

  test("an outside optimizer plugin passes testkit's suite from the built packages, its real-process test included", async ({ expect }) => {
    // The in-process tests of the suite run in examples/custom-optimizer already; here the one
    // that needs the built packages: children spawned by testkit's dist, loading the plugin's .ts.
    const only = 'a real child process driving a session on a durable store'
    const r = await run(outside.bin('vitest'), ['run', '--root', 'plugin', '--reporter', 'json', '-t', only], outside.dir)
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>
    }
    const results = report.testResults.flatMap((f) => f.assertionResults)
    expect(
      results.filter((t) => t.status === 'failed').map((t) => ({ title: t.title, failure: t.failureMessages[0]?.slice(0, 400) })),
    ).toEqual([])
    const realProcess = results.find((t) => t.title.startsWith(only))
    expect(realProcess?.status).toBe('passed')
    expect(r.code).toBe(0)
  })
})
