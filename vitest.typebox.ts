import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

const ROOT = dirname(fileURLToPath(import.meta.url))
const fromCore = createRequire(join(ROOT, 'packages/core/package.json'))

/**
 * TypeBox as two bundled modules (`typebox`, `typebox/compile`, sharing one chunk), for tests to
 * import in place of its ~680 ES module files: Node 20 takes about 0.45 s of CPU to load those,
 * once in every test process; the bundle loads in a few tens of milliseconds. `@cairn/core`'s
 * build bundles it the same way (packages/core/tsup.config.ts). Built once per TypeBox version,
 * into node_modules/.cache, so the tests import it natively, like any dependency.
 */
export function typeboxAliases(): Array<{ find: RegExp; replacement: string }> {
  const main = fromCore.resolve('typebox')
  const version = (JSON.parse(readFileSync(join(main, '../../package.json'), 'utf8')) as { version: string }).version
  const outDir = join(ROOT, 'node_modules/.cache/cairn-test-typebox', version)
  if (!existsSync(join(outDir, 'compile.mjs'))) {
    mkdirSync(outDir, { recursive: true })
    buildSync({
      entryPoints: { typebox: main, compile: fromCore.resolve('typebox/compile') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'error',
    })
  }
  return [
    { find: /^typebox$/, replacement: join(outDir, 'typebox.mjs') },
    { find: /^typebox\/compile$/, replacement: join(outDir, 'compile.mjs') },
  ]
}
