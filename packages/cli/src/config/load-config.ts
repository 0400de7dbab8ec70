import { existsSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isCairnError, optionKinds as k, type OptionsSchema } from '@cairn/core'
import { ConfigError } from '../errors.js'
import { strict } from '../strict-options.js'
import { FROM_SOURCE } from '../util/from-source.js'
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

const LoadConfigOptionsSchema: OptionsSchema<LoadConfigOptions> = strict<LoadConfigOptions>('loadConfig', {
  cwd: k.optional(k.string()),
  path: k.optional(k.string()),
})

/**
 * Finds and loads `cairn.config.ts` (or `.mts`, `.js`, `.mjs`) in `cwd`, or the file given as
 * `path`, and validates its default export. TypeScript configs load on plain Node (through jiti). With no
 * config file the empty config applies (the default store `level:./.cairn`, no jobs). Throws
 * `ConfigError` naming the file when it is missing, does not load, or is malformed (core's
 * `UnknownOptionError` for a field the config does not have).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  LoadConfigOptionsSchema.check(options)
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
    // A malformed field (ConfigError) or one the config does not have (core's UnknownOptionError).
    if (isCairnError(err, 'INVALID_INPUT')) err.message = `${err.message} (in ${path})`
    throw err
  }
}

const TYPESCRIPT = ['.ts', '.mts', '.cts']

/**
 * Imports the config module. A TypeScript config is loaded with jiti — as an ES module whatever
 * the nearest package.json says (a project without `"type": "module"`, or none at all), the same
 * way on every Node version — except from source, where the active loader imports it. The
 * packages a config imports are imported natively either way, so the config and the CLI share
 * one `@cairn/core` (one set of error classes, one session registry). JavaScript configs are
 * imported natively.
 */
async function importConfigModule(path: string): Promise<unknown> {
  try {
    if (!TYPESCRIPT.includes(extname(path)) || FROM_SOURCE) return await import(pathToFileURL(path).href)
    const { createJiti } = await import('jiti')
    // moduleCache off: each load reads the file (and what it imports relatively) as it is now.
    return await createJiti(import.meta.url, { moduleCache: false, interopDefault: false }).import(path)
  } catch (err) {
    if (err instanceof ConfigError) throw err
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new ConfigError(`cannot load ${path}: ${detail}`, 'config', { cause: err })
  }
}
