import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOk, userEnv } from './run.js'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** A publishable package of the workspace. */
export interface WorkspacePackage {
  dir: string
  manifest: {
    name: string
    version: string
    private?: boolean
    exports: Record<string, string | Record<string, string>>
    [field: string]: unknown
  }
}

/** Every public package under packages/. */
export function publicPackages(): WorkspacePackage[] {
  return readdirSync(join(ROOT, 'packages'))
    .map((d) => join(ROOT, 'packages', d))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter((p) => !p.manifest.private)
}

function newestMtime(path: string): number {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))))
}

/** True when some package has no build, or a source file newer than its build. */
function buildIsStale(): boolean {
  return publicPackages().some(({ dir }) => {
    const built = join(dir, 'dist', 'index.js')
    if (!existsSync(built) || !existsSync(join(dir, 'dist', 'esm-only.cjs'))) return true
    const builtAt = statSync(built).mtimeMs
    return ['src', 'package.json', 'tsconfig.json'].some((f) => newestMtime(join(dir, f)) > builtAt)
  })
}

/** Runs `pnpm build` when a package's `dist/` is missing or older than its sources (CI builds first). */
export async function ensureBuilt(): Promise<void> {
  if (buildIsStale()) await runOk('pnpm', ['build'], ROOT, userEnv(), 600_000)
}
