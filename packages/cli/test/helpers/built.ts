import { execFile } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url))

/** The newest modification time of the files under `dir`. */
async function newest(dir: string): Promise<number> {
  let latest = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) latest = Math.max(latest, statSync(join(e.parentPath, e.name)).mtimeMs)
  return latest
}

/**
 * Makes sure `packages/<name>/dist` of each package is built from its current sources (the
 * JavaScript, with `pnpm run build`; CI builds everything before testing), so a test of the
 * built CLI never runs a stale or missing build. Throws naming the package when a build fails.
 */
export async function ensureBuilt(names: readonly string[]): Promise<void> {
  for (const name of names) {
    const dir = join(PACKAGES, name)
    const built = join(dir, 'dist', 'index.js')
    if (existsSync(built) && statSync(built).mtimeMs >= (await newest(join(dir, 'src')))) continue
    try {
      await promisify(execFile)('pnpm', ['run', 'build'], { cwd: dir })
    } catch (err) {
      throw new Error(`packages/${name} is not built and \`pnpm run build\` failed there: ${(err as Error).message}`)
    }
  }
}
