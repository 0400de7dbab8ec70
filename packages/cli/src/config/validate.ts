import { describeValue, isCairnError, parseSpace } from '@cairn/core'
import { assertSessionId } from '@cairn/core/store-kit'
import { ConfigError } from '../errors.js'
import { optimizerNames } from '../optimizer/resolve.js'
import { ConfigSchema, JobSchema, type JobFields } from './schema.js'
import type { CairnConfig } from './types.js'

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

/**
 * Checks a config (the default export of `cairn.config.ts`) and returns it typed. Throws
 * `ConfigError` (code `INVALID_INPUT`) whose `field` names the first bad field, e.g.
 * `jobs.quickstart.maxTrials: must be an integer in [0, 9007199254740991], got -1`, and core's
 * `UnknownOptionError` for a field the config does not have, naming the nearest one
 * (`[cairn] config: unknown option jobs.quickstart.maxTrial (did you mean maxTrials?)`).
 */
export function validateConfig(value: unknown): CairnConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError('the config must be an object: export default defineConfig({ store, optimizers, jobs })')
  ConfigSchema.check(value)
  for (const [name, factory] of Object.entries(value.optimizers ?? {}))
    if (typeof factory !== 'function')
      throw new ConfigError(
        `must be a function returning an optimizer, e.g. () => tpe(), got ${describeValue(factory)}`,
        `optimizers.${name}`,
      )
  for (const [name, job] of Object.entries(value.jobs ?? {})) checkJob(name, job)
  return value
}

/**
 * Checks that every optimizer a job names exists: in the config's `optimizers`, or in
 * `@cairn/optimizers` (imported only when a job names an optimizer the config does not define,
 * and skipped when it is not installed: running such a job then says how to install it).
 * Throws `ConfigError` naming the job's `optimizer` field.
 */
export async function checkOptimizerNames(config: CairnConfig): Promise<void> {
  const named = config.optimizers ?? {}
  const unresolved = Object.entries(config.jobs ?? {}).filter(
    ([, job]) => typeof job.optimizer === 'string' && !Object.hasOwn(named, job.optimizer),
  )
  if (unresolved.length === 0) return
  const known = await optimizerNames(named)
  if (known.length === Object.keys(named).length) return // @cairn/optimizers is not installed
  for (const [name, job] of unresolved) {
    const optimizer = job.optimizer as string
    if (!known.includes(optimizer))
      throw new ConfigError(`unknown optimizer "${optimizer}"; known: ${known.map((o) => `"${o}"`).join(', ')}`, `jobs.${name}.optimizer`)
  }
}

function checkJob(name: string, job: unknown): void {
  const at = `jobs.${name}`
  if (!JOB_NAME.test(name)) throw new ConfigError('job names are 1–128 of A–Z a–z 0–9 . _ : -, starting with a letter or digit', at)
  if (job === null || typeof job !== 'object' || Array.isArray(job))
    throw new ConfigError(`must be a job { space, objective } or { program, trainset, metric }, got ${describeValue(job)}`, at)
  JobSchema.check(job, at)
  const j: JobFields = job
  const hasObjective = j.objective !== undefined
  const hasProgram = j.program !== undefined || j.metric !== undefined || (j.trainset !== undefined && !hasObjective)
  if (hasObjective && (j.program !== undefined || j.metric !== undefined))
    throw new ConfigError('give either space + objective or program + trainset + metric, not both', `${at}.objective`)
  if (!hasObjective && !hasProgram && j.space === undefined)
    throw new ConfigError('needs space + objective, program + trainset + metric, or a space alone (an ask/tell job: `cairn create`)', at)
  if (hasObjective && j.space === undefined)
    throw new ConfigError('is required with objective: space({ x: float(0, 1), … })', `${at}.space`)
  if (hasProgram) {
    if (j.program === undefined)
      throw new ConfigError('is required with metric and trainset: (config, example, ctx) => output', `${at}.program`)
    if (j.metric === undefined) throw new ConfigError('is required with program: (example, output) => number', `${at}.metric`)
    if (!Array.isArray(j.trainset) || j.trainset.length === 0)
      throw new ConfigError('must be a non-empty array of examples', `${at}.trainset`)
    if (Array.isArray(j.valset) && j.valset.length === 0)
      throw new ConfigError('must be a non-empty array of examples held out from the trainset (or leave it out)', `${at}.valset`)
  } else if (j.valset !== undefined) {
    throw new ConfigError('is for program + trainset + metric jobs: held-out examples candidates are scored on', `${at}.valset`)
  }
  if (j.space !== undefined) rethrowAs(`${at}.space`, () => parseSpace(j.space))
  if (j.sessionId !== undefined) rethrowAs(`${at}.sessionId`, () => assertSessionId(j.sessionId))
}

function rethrowAs(field: string, check: () => unknown): void {
  try {
    check()
  } catch (err) {
    if (!isCairnError(err, 'INVALID_INPUT')) throw err
    // core's message is "<its field>: <what>"; keep the what, name the config field.
    const what = err.message.replace(/^[\w.]+: /, '')
    const sub = (err as { field?: string }).field
    const suffix = sub?.startsWith('space.') ? sub.slice('space'.length) : ''
    throw new ConfigError(what, `${field}${suffix}`)
  }
}
