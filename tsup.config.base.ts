import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig, type Options } from 'tsup'

/** One export of a package.json `exports` map, in the shape every Cairn package uses. */
interface ExportConditions {
  types: string
  '@cairn/source': string
  import: string
}

/**
 * The entry points of the package in the working directory, read from its `exports` map: each
 * subpath's `@cairn/source` file is built to its `import` file (`./src/store-kit.ts` →
 * `./dist/store-kit.js`), so a new subpath cannot be exported without being built.
 */
function exportedEntries(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
    exports: Record<string, string | ExportConditions>
  }
  const entries: Record<string, string> = {}
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'string') continue
    const name = /^\.\/dist\/(.+)\.js$/.exec(target.import)?.[1]
    if (!name) throw new Error(`tsup.config.base.ts: exports "import" must be ./dist/<name>.js, got ${target.import}`)
    entries[name] = target['@cairn/source']
  }
  return entries
}

/**
 * The build every package shares: ESM for Node 20, one file per exported subpath (plus
 * `extraEntries`, e.g. a bin or modules spawned as child processes), shared code split into
 * chunks so every subpath sees the same classes (an `instanceof` across subpaths holds).
 * Declarations come from `tsc --build` into the same `dist/`; tsup must not wipe them.
 */
export function cairnPackage(extraEntries: Record<string, string> = {}, overrides: Options = {}) {
  return defineConfig({
    entry: { ...exportedEntries(), ...extraEntries },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    splitting: true,
    dts: false,
    clean: false,
    ...overrides,
  })
}
