import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import type { TestProject } from 'vitest/node'
import { ensureBuilt, staleBuilds } from './vitest.builds.js'
import type {} from './vitest.children.js'

const ROOT = dirname(fileURLToPath(import.meta.url))

/** Decided once per vitest process (every project asks): build when stale, unless told to run the sources. */
const FRESH = Symbol.for('cairn.vitest.buildsFresh')

function buildsFresh(): Promise<boolean> {
  const globals = globalThis as { [FRESH]?: Promise<boolean> }
  globals[FRESH] ??= decide()
  return globals[FRESH]
}

async function decide(): Promise<boolean> {
  if (process.env['CAIRN_TEST_CHILDREN'] === 'source') return false
  try {
    await ensureBuilt()
    return staleBuilds().length === 0
  } catch (err) {
    console.warn(`[tests] child processes run the sources through tsx: ${(err as Error).message.split('\n')[0]}`)
    return false
  }
}

/**
 * Bare imports stay imports, of the file Node resolves them to without the `@cairn/source`
 * condition (a package's built `dist/`), written as absolute paths so the bundle runs from any
 * folder. Each TypeScript module keeps its own `import.meta.url`, so paths it computes from it
 * (a sibling fixture, a package.json) are the ones it computes from source.
 */
const asFromSource: Plugin = {
  name: 'cairn-child-modules',
  setup(b) {
    const again = Symbol('resolving')
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === again) return undefined
      if (isBuiltin(args.path)) return { path: args.path, external: true }
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: again })
      return r.errors.length > 0 ? { errors: r.errors } : { path: r.path, external: true }
    })
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' }
    })
  },
}

/**
 * The JavaScript each child module runs as: a package's own built entry when the module is one
 * (`packages/cli/src/cli/main.ts` → `packages/cli/dist/cli/main.js`), else the module bundled
 * with its relative imports (a test fixture and the sources it imports), in `outDir`.
 */
async function builtChildren(modules: readonly string[], outDir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  const toBundle: string[] = []
  for (const file of modules) {
    const entry = /^(.*\/packages\/[^/]+)\/src\/(.+)\.ts$/.exec(file)
    const dist = entry ? join(entry[1] as string, 'dist', `${entry[2]}.js`) : null
    if (dist && existsSync(dist)) result[file] = dist
    else toBundle.push(file)
  }
  if (toBundle.length === 0) return result
  await build({
    entryPoints: toBundle,
    outdir: outDir,
    outbase: ROOT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Node's own resolution: no `@cairn/source`, no bundler-only `module` condition or field.
    conditions: [],
    mainFields: ['main'],
    logLevel: 'error',
    plugins: [asFromSource],
  })
  for (const file of toBundle) result[file] = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.mjs')
  return result
}

/**
 * Global setup of the projects whose tests start child processes (`childModules` in
 * vitest.shared.ts). Unless CAIRN_TEST_CHILDREN=source, the packages are built first when a
 * build is missing or stale (once per run, vitest.builds.ts); then the children run JavaScript on plain
 * Node: a package's built entry, or a fixture bundled with the sources it imports relatively,
 * every package it imports by name taken from `dist/`. With CAIRN_TEST_CHILDREN=source, or when
 * the build fails, they run the TypeScript sources through tsx, several times the CPU
 * of a plain start (every module goes through the loader thread). See vitest.children.ts.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const modules = (project.config.provide['childModules'] ?? []).map((m) => resolve(project.config.root, m))
  project.provide('childModules', modules)
  if (!(await buildsFresh())) {
    project.provide('builtChildren', null)
    return undefined
  }
  const outDir = await mkdtemp(join(tmpdir(), 'cairn-test-children-'))
  project.provide('builtChildren', await builtChildren(modules, outDir))
  return () => rm(outDir, { recursive: true, force: true })
}
