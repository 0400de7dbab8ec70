import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runOk } from './run.js'
import { readTarball } from './tarball.js'
import { ROOT } from './workspace.js'

/** A project outside the workspace with every Cairn package installed from its tarball. */
export interface OutsideProject {
  dir: string
  /** The tarballs `release:pack` wrote, by package name. */
  tarballs: Map<string, string>
  /** An executable of the project's node_modules/.bin. */
  bin(name: string): string
}

const FIXTURES = join(ROOT, 'packaging', 'fixtures', 'outside-project')
const CUSTOM_OPTIMIZER = join(ROOT, 'examples', 'custom-optimizer')

/**
 * Packs every package with `release:pack`'s script, then creates a project in the system temp
 * directory (outside the workspace: no pnpm, no workspace links) and installs the tarballs with
 * plain `npm`, third-party dependencies from the registry. Brings the quick start config, an
 * embedding script, type-check projects and, in `plugin/`, the custom-optimizer example as an
 * outside plugin would be (its sources and its real-process test).
 */
export async function createOutsideProject(): Promise<OutsideProject> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-install-'))
  const packed = join(dir, 'tarballs')
  await runOk('node', [join(ROOT, 'scripts', 'release-pack.mjs'), '--out', packed], ROOT)
  const tarballs = new Map<string, string>()
  for (const file of readdirSync(packed)) {
    const name = JSON.parse(readTarball(join(packed, file)).get('package/package.json')?.toString('utf8') ?? '{}').name as string
    tarballs.set(name, join(packed, file))
  }

  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  const tools = ['typescript', '@types/node', 'vitest', 'tsx']
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'cairn-install-check',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`])),
        devDependencies: Object.fromEntries(tools.map((t) => [t, root.devDependencies[t]])),
      },
      null,
      2,
    )}\n`,
  )
  cpSync(FIXTURES, dir, { recursive: true })
  const plugin = join(dir, 'plugin')
  mkdirSync(join(plugin, 'test'), { recursive: true })
  cpSync(join(CUSTOM_OPTIMIZER, 'src'), join(plugin, 'src'), { recursive: true })
  cpSync(join(CUSTOM_OPTIMIZER, 'test', 'fixtures'), join(plugin, 'test', 'fixtures'), { recursive: true })
  cpSync(join(CUSTOM_OPTIMIZER, 'test', 'real-process.test.ts'), join(plugin, 'test', 'real-process.test.ts'))

  await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir, undefined, 600_000)
  return { dir, tarballs, bin: (name) => join(dir, 'node_modules', '.bin', name) }
}
