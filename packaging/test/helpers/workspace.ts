import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

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

/** Runs `pnpm build` when a package's `dist/` is missing or older than its sources (CI builds first). */
export { ensureBuilt } from '../../../vitest.builds.js'
