import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/**
 * Whether the packages' builds (`dist/`) are current, and building them when they are not. The
 * real-process tests run their children on the build (vitest.children-setup.ts), packaging/
 * packs it, the built-CLI test runs it. `.ci/run` builds before testing, so there nothing is
 * rebuilt; a fresh clone's `pnpm test` builds once, first.
 */

const ROOT = dirname(fileURLToPath(import.meta.url))
const PACKAGES = join(ROOT, 'packages')

/** The newest modification time of `path`, or of anything under it. */
function newest(path: string): number {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let latest = s.mtimeMs
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)))
  return latest
}

/** The packages (folder names under packages/) whose build is missing or older than its inputs. */
export function staleBuilds(): string[] {
  const sharedConfig = statSync(join(ROOT, 'tsup.config.base.ts')).mtimeMs
  return readdirSync(PACKAGES).filter((name) => {
    const dir = join(PACKAGES, name)
    if (!existsSync(join(dir, 'package.json'))) return false
    const built = join(dir, 'dist', 'index.js')
    if (!existsSync(built) || !existsSync(join(dir, 'dist', 'esm-only.cjs'))) return true
    const inputs = ['src', 'package.json', 'tsconfig.json', 'tsup.config.ts'].map((f) => join(dir, f)).filter((f) => existsSync(f))
    return Math.max(sharedConfig, ...inputs.map(newest)) > statSync(built).mtimeMs
  })
}

/** The variables vitest, pnpm's script runner and tsx add to the environment of a test run. */
const TEST_RUN_VARIABLE = /^(VITEST|npm_|NODE_OPTIONS$|NODE_PATH$|TSX_|PNPM_|INIT_CWD$)/i

/** The environment of a user's shell: this process's, without what the test run put there. */
export function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !TEST_RUN_VARIABLE.test(k)))
}

async function buildIfStale(): Promise<void> {
  const stale = staleBuilds()
  if (stale.length === 0) return
  console.log(`[tests] building the packages first (no current build of ${stale.join(', ')})`)
  try {
    await promisify(execFile)('pnpm', ['build'], { cwd: ROOT, env: shellEnv(), maxBuffer: 64 << 20, timeout: 600_000 })
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`pnpm build failed: ${e.message}\n${(e.stdout ?? '').slice(-4000)}${(e.stderr ?? '').slice(-4000)}`)
  }
}

const BUILDING = Symbol.for('cairn.vitest.build')

/** Runs `pnpm build` when some package's build is missing or stale: once per process, however many ask. */
export function ensureBuilt(): Promise<void> {
  const globals = globalThis as { [BUILDING]?: Promise<void> }
  globals[BUILDING] ??= buildIfStale()
  return globals[BUILDING]
}
