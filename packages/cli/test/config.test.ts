import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { float, space, tpe } from './helpers/deps.js'
import { afterAll, describe, expect, test } from 'vitest'
import { UnknownOptionError } from '@cairn/core'
import { ConfigError, defineConfig, loadConfig } from '@cairn/cli'
import { checkOptimizerNames, validateConfig } from '../src/config/validate.js'

const objective = ({ x }: { x: number }): number => x * x
const good = { space: space({ x: float(-1, 1) }), objective }

function fieldOf(fn: () => unknown): { field: string | undefined; message: string } {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return { field: (err as ConfigError).field, message: (err as Error).message }
  }
  throw new Error('expected a ConfigError')
}

describe('validateConfig', () => {
  test('accepts a full config and defineConfig returns it unchanged', () => {
    const config = defineConfig({
      store: 'fs:./runs',
      optimizers: { mine: () => tpe({ nStartupTrials: 4 }) },
      jobs: {
        a: { ...good, optimizer: 'mine', maxTrials: 10, direction: 'maximize', seed: 1, sessionId: 'a-1', warmStart: true },
        b: { ...good, evaluation: 'shared', evaluateLocally: false, trialLeaseTtlMs: 5_000, pollIntervalMs: 20 },
      },
      recovery: { pollIntervalMs: 1000 },
    })
    expect(validateConfig(config)).toBe(config)
    expect(validateConfig({})).toEqual({})
  })

  test.each<[string, unknown, string, RegExp]>([
    ['a negative maxTrials', { jobs: { a: { ...good, maxTrials: -1 } } }, 'jobs.a.maxTrials', /must be an integer in \[0, \d+\], got -1/],
    [
      'a fractional parallelism',
      { jobs: { a: { ...good, parallelism: 1.5 } } },
      'jobs.a.parallelism',
      /must be an integer in \[1, 1024\], got 1.5/,
    ],
    [
      "a trial timeout beyond setTimeout's limit",
      { jobs: { a: { ...good, trialTimeoutMs: 2 ** 31 } } },
      'jobs.a.trialTimeoutMs',
      /at most 2147483647 \(setTimeout's limit\), got 2147483648/,
    ],
    [
      'a lease ttl of more than a day',
      { jobs: { a: { ...good, leaseTtlMs: 1e15 } } },
      'jobs.a.leaseTtlMs',
      /at most 86400000, got 1000000000000000/,
    ],
    ['an unknown evaluation', { jobs: { a: { ...good, evaluation: 'remote' } } }, 'jobs.a.evaluation', /"local" or "shared", got "remote"/],
    [
      'a trial lease under 100 ms',
      { jobs: { a: { ...good, trialLeaseTtlMs: 10 } } },
      'jobs.a.trialLeaseTtlMs',
      /at least 100 and at most 86400000, got 10/,
    ],
    ['a bad direction', { jobs: { a: { ...good, direction: 'up' } } }, 'jobs.a.direction', /"minimize" or "maximize", got "up"/],
    ['a store that is neither a URI nor a store', { store: 42 }, 'store', /store URI .* or a CheckpointStore, got 42/],
    ['an optimizer that is a number', { jobs: { a: { ...good, optimizer: 3 } } }, 'jobs.a.optimizer', /optimizer name/],
    ['an objective without a space', { jobs: { a: { objective } } }, 'jobs.a.space', /is required with objective/],
    [
      'a job with nothing to evaluate',
      { jobs: { a: { maxTrials: 3 } } },
      'jobs.a',
      /needs space \+ objective, program \+ trainset \+ metric, or a space alone/,
    ],
    [
      'both objective and program',
      { jobs: { a: { ...good, program: () => 1, metric: () => 1, trainset: [1] } } },
      'jobs.a.objective',
      /not both/,
    ],
    ['a program without a trainset', { jobs: { a: { program: () => 1, metric: () => 1 } } }, 'jobs.a.trainset', /non-empty array/],
    [
      'a valset that is not an array',
      { jobs: { a: { program: () => 1, metric: () => 1, trainset: [1], valset: 'held-out.json' } } },
      'jobs.a.valset',
      /must be a non-empty array of examples held out from the trainset, got "held-out.json"/,
    ],
    [
      'an empty valset',
      { jobs: { a: { program: () => 1, metric: () => 1, trainset: [1], valset: [] } } },
      'jobs.a.valset',
      /non-empty array/,
    ],
    ['a valset on an objective job', { jobs: { a: { ...good, valset: [1] } } }, 'jobs.a.valset', /program \+ trainset \+ metric jobs/],
    ['an invalid space', { jobs: { a: { space: { version: 1, params: {} }, objective } } }, 'jobs.a.space', /at least one dimension/],
    ['an unsafe session id', { jobs: { a: { ...good, sessionId: '../x' } } }, 'jobs.a.sessionId', /not a valid session id/],
    ['a bad job name', { jobs: { 'a b': good } }, 'jobs.a b', /job names are/],
    ['an optimizer factory that is not a function', { optimizers: { x: 'tpe' } }, 'optimizers.x', /must be a function/],
  ])('refuses %s, naming the field', (_what, config, field, message) => {
    const e = fieldOf(() => validateConfig(config))
    expect(e.field).toBe(field)
    expect(e.message).toMatch(/^\[cairn\] /)
    expect(e.message).toMatch(message)
  })

  test.each<[string, unknown, string, string]>([
    ['a misspelled job field', { jobs: { a: { ...good, maxTrial: 3 } } }, 'jobs.a.maxTrial', 'maxTrials'],
    ['a misspelled top-level field', { job: {} }, 'job', 'jobs'],
    [
      'a misspelled warmStart field',
      { jobs: { a: { ...good, warmStart: { maxSeedTrial: 3 } } } },
      'jobs.a.warmStart.maxSeedTrial',
      'maxSeedTrials',
    ],
  ])("refuses %s with core's UnknownOptionError, naming the nearest field", (_what, config, field, nearest) => {
    const err = (() => {
      try {
        validateConfig(config)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field, suggestion: nearest })
    expect((err as Error).message).toBe(`[cairn] config: unknown option ${field} (did you mean ${nearest}?)`)
  })

  test("refuses an unknown optimizer name, listing the config's and @cairn/optimizers' names", async () => {
    const config = validateConfig({ optimizers: { mine: () => tpe() }, jobs: { a: good, b: { ...good, optimizer: 'nope' } } })
    const err = await checkOptimizerNames(config).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).field).toBe('jobs.b.optimizer')
    expect((err as Error).message).toMatch(/unknown optimizer "nope"; known: "mine", "random", "grid", "tpe", "cmaes", "nsga2", "few-shot"/)
    await expect(checkOptimizerNames(validateConfig({ jobs: { a: { ...good, optimizer: 'tpe' } } }))).resolves.toBeUndefined()
  })

  test('refuses a config that is not an object', () => {
    expect(() => validateConfig(null)).toThrow(/the config must be an object/)
  })
})

describe('loadConfig', () => {
  const dir = fileURLToPath(new URL('./.tmp/load-config/', import.meta.url))
  afterAll(() => rm(dir, { recursive: true, force: true }))

  test('finds cairn.config.ts in the working directory; relative stores resolve against it', async () => {
    const cwd = join(dir, 'ts')
    await mkdir(cwd, { recursive: true })
    await writeFile(
      join(cwd, 'cairn.config.ts'),
      `import { float, space } from '@cairn/core'\nimport { defineConfig } from '@cairn/cli'\nexport default defineConfig({ store: 'fs:./s', jobs: { a: { space: space({ x: float(0, 1) }), objective: ({ x }: { x: number }) => x } } })\n`,
    )
    const loaded = await loadConfig({ cwd })
    expect(loaded.path).toBe(join(cwd, 'cairn.config.ts'))
    expect(loaded.baseDir).toBe(cwd)
    expect(Object.keys(loaded.config.jobs ?? {})).toEqual(['a'])
  })

  test('loads an .mjs config given by path; no config means the defaults', async () => {
    const cwd = join(dir, 'mjs')
    await mkdir(cwd, { recursive: true })
    await writeFile(join(cwd, 'my.config.mjs'), `export default { store: 'memory:' }\n`)
    expect((await loadConfig({ cwd, path: 'my.config.mjs' })).config).toEqual({ store: 'memory:' })
    expect(await loadConfig({ cwd: join(dir, 'mjs', 'nowhere') })).toEqual({ config: {}, path: null, baseDir: join(dir, 'mjs', 'nowhere') })
  })

  test('a missing file, a missing default export, a throwing or malformed config: ConfigError naming the file', async () => {
    const cwd = join(dir, 'bad')
    await mkdir(cwd, { recursive: true })
    await expect(loadConfig({ cwd, path: 'absent.ts' })).rejects.toThrow(/\[cairn\] config: no such file: .*absent\.ts/)
    await writeFile(join(cwd, 'named.mjs'), `export const config = {}\n`)
    await expect(loadConfig({ cwd, path: 'named.mjs' })).rejects.toThrow(/has no default export/)
    await writeFile(join(cwd, 'throws.mjs'), `throw new Error('boom at load')\n`)
    await expect(loadConfig({ cwd, path: 'throws.mjs' })).rejects.toThrow(/cannot load .*throws\.mjs: boom at load/)
    await writeFile(join(cwd, 'malformed.mjs'), `export default { jobs: { a: { maxTrials: 'ten' } } }\n`)
    await expect(loadConfig({ cwd, path: 'malformed.mjs' })).rejects.toThrow(
      /jobs\.a\.maxTrials: must be an integer in \[0, \d+\], got "ten" \(in .*malformed\.mjs\)/,
    )
    await writeFile(join(cwd, 'misspelled.mjs'), `export default { job: {} }\n`)
    await expect(loadConfig({ cwd, path: 'misspelled.mjs' })).rejects.toThrow(
      /^\[cairn\] config: unknown option job \(did you mean jobs\?\) \(in .*misspelled\.mjs\)$/,
    )
  })
})
