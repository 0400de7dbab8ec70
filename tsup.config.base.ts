import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig, type Options } from 'tsup'

/** One export of a package.json `exports` map, in the shape every Cairn package uses. */
interface ExportConditions {
  types: string
  '@cairn/source': string
  import: string
  require: string
}

interface Manifest {
  name: string
  exports: Record<string, string | ExportConditions>
}

/** Where every export's `require` condition points: a file that refuses CommonJS clearly. */
const ESM_ONLY = './dist/esm-only.cjs'

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as Manifest
}

/**
 * The entry points of the package in the working directory, read from its `exports` map: each
 * subpath's `@cairn/source` file is built to its `import` file (`./src/store-kit.ts` →
 * `./dist/store-kit.js`), so a new subpath cannot be exported without being built.
 */
function exportedEntries(pkg: Manifest): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue
    const name = /^\.\/dist\/(.+)\.js$/.exec(target.import)?.[1]
    if (!name)
      throw new Error(`tsup.config.base.ts: ${pkg.name} exports "${subpath}": "import" must be ./dist/<name>.js, got ${target.import}`)
    if (target.require !== ESM_ONLY)
      throw new Error(`tsup.config.base.ts: ${pkg.name} exports "${subpath}": "require" must be ${ESM_ONLY}, got ${target.require}`)
    entries[name] = target['@cairn/source']
  }
  return entries
}

/**
 * The file every `require` condition points to. Cairn is published as ES modules only; without
 * it `require()` would fail with ERR_PACKAGE_PATH_NOT_EXPORTED, which says nothing useful.
 */
function writeEsmOnly(name: string): void {
  const message = `${name} is ESM only: use import (import { … } from '${name}'), or await import('${name}') from CommonJS`
  const code = [
    '// Cairn packages are ES modules only: this file answers require() with what to do instead.',
    `const error = new Error(${JSON.stringify(message)})`,
    "error.code = 'ERR_REQUIRE_ESM'",
    'throw error',
    '',
  ].join('\n')
  mkdirSync(join(process.cwd(), 'dist'), { recursive: true })
  writeFileSync(join(process.cwd(), ESM_ONLY), code)
}

/**
 * The build every package shares: ESM for Node 20, one file per exported subpath (plus
 * `extraEntries`, e.g. a bin or modules spawned as child processes), shared code split into
 * chunks so every subpath sees the same classes (an `instanceof` across subpaths holds).
 * Declarations come from `tsc --build` into the same `dist/`; tsup must not wipe them. Every
 * export's `require` condition points to `dist/esm-only.cjs`, written here, which throws
 * "<package> is ESM only: use import …".
 */
export function cairnPackage(extraEntries: Record<string, string> = {}, overrides: Options = {}) {
  const pkg = manifest()
  return defineConfig({
    entry: { ...exportedEntries(pkg), ...extraEntries },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    splitting: true,
    dts: false,
    clean: false,
    async onSuccess() {
      writeEsmOnly(pkg.name)
    },
    ...overrides,
  })
}
