import { existsSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../errors.js'
import type { CairnConfig } from './types.js'
import { checkOptimizerNames, validateConfig } from './validate.js'

/** The file names looked for in the working directory, in this order. */
export const CONFIG_FILES = ['cairn.config.ts', 'cairn.config.mts', 'cairn.config.js', 'cairn.config.mjs'] as const

/** A loaded, validated config and where it came from. */
export interface LoadedConfig {
  config: CairnConfig
  /** The config file, or null when none was found (the defaults apply). */
  path: string | null
  /** Relative store paths are resolved against this: the config file's directory, else the working directory. */
  baseDir: string
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Where to look for `cairn.config.*`. Default `process.cwd()`. */
  cwd?: string
  /** An explicit config file (relative to `cwd`); it must exist. */
  path?: string
}

/**
 * Finds and loads `cairn.config.ts` (or `.mts`, `.js`, `.mjs`) in `cwd`, or the file given as
 * `path`, and validates its default export. TypeScript configs are loaded through `tsx`. With no
 * config file the empty config applies (the default store `level:./.cairn`, no jobs). Throws
 * `ConfigError` naming the file when it is missing, does not load, or is malformed.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd())
  let path: string | null = null
  if (options.path !== undefined) {
    path = resolve(cwd, options.path)
    if (!existsSync(path)) throw new ConfigError(`no such file: ${path}`, 'config')
  } else {
    path = CONFIG_FILES.map((f) => resolve(cwd, f)).find((p) => existsSync(p)) ?? null
  }
  if (path === null) return { config: {}, path: null, baseDir: cwd }
  const mod = await importConfigModule(path)
  const exported = (mod as { default?: unknown }).default
  if (exported === undefined) throw new ConfigError(`${path} has no default export; write \`export default defineConfig({ … })\``, 'config')
  try {
    const config = validateConfig(exported)
    await checkOptimizerNames(config)
    return { config, path, baseDir: dirname(path) }
  } catch (err) {
    if (err instanceof ConfigError) err.message = `${err.message} (in ${path})`
    throw err
  }
}

let tsxRegistered = false

async function importConfigModule(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href
  const typescript = ['.ts', '.mts', '.cts'].includes(extname(path))
  try {
    try {
      return await import(url)
    } catch (err) {
      if (!typescript || tsxRegistered || (err as { code?: unknown })?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err
      // Not running under tsx: register its loader for this process, then import again. (Registering
      // globally, rather than tsImport's private namespace, keeps one instance of @cairn/core shared
      // by the config and the CLI, so its errors and session registry stay one.)
      const { register } = await import('tsx/esm/api')
      register()
      tsxRegistered = true
      return await import(`${url}?cairn-config`)
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new ConfigError(`cannot load ${path}: ${detail}`, 'config', { cause: err })
  }
}
