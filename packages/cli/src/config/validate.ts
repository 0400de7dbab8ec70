import { isCairnError, nearestName, parseSpace } from '@cairn/core'
import { assertSessionId } from '@cairn/core/store-kit'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { ConfigError } from '../errors.js'
import { optimizerNames } from '../optimizer/resolve.js'
import { ConfigSchema, FIELD_HINTS } from './schema.js'
import type { CairnConfig, JobDefinition } from './types.js'

const checkConfig = Compile(ConfigSchema)
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

interface SchemaError {
  keyword: string
  schemaPath: string
  instancePath: string
  params: Record<string, unknown>
  message: string
}

/**
 * Checks a config (the default export of `cairn.config.ts`) and returns it typed. Throws
 * `ConfigError` (code `INVALID_INPUT`) whose `field` names the first bad field, e.g.
 * `jobs.quickstart.maxTrials: must be an integer >= 0, got -1`.
 */
export function validateConfig(value: unknown): CairnConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError('the config must be an object: export default defineConfig({ store, optimizers, jobs })')
  if (!checkConfig.Check(value)) throw schemaError(value, checkConfig.Errors(value) as unknown as SchemaError[])
  const config = value as CairnConfig
  for (const [name, job] of Object.entries(config.jobs ?? {})) checkJob(name, job)
  return config
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

function checkJob(name: string, job: JobDefinition): void {
  const at = `jobs.${name}`
  if (!JOB_NAME.test(name)) throw new ConfigError('job names are 1–128 of A–Z a–z 0–9 . _ : -, starting with a letter or digit', at)
  const j = job as unknown as Partial<Record<string, unknown>>
  const hasObjective = j['objective'] !== undefined
  const hasProgram = j['program'] !== undefined || j['metric'] !== undefined || (j['trainset'] !== undefined && !hasObjective)
  if (hasObjective && (j['program'] !== undefined || j['metric'] !== undefined))
    throw new ConfigError('give either space + objective or program + trainset + metric, not both', `${at}.objective`)
  if (!hasObjective && !hasProgram) throw new ConfigError('needs space + objective, or program + trainset + metric', at)
  if (hasObjective && j['space'] === undefined)
    throw new ConfigError('is required with objective: space({ x: float(0, 1), … })', `${at}.space`)
  if (hasProgram) {
    if (j['program'] === undefined)
      throw new ConfigError('is required with metric and trainset: (config, example, ctx) => output', `${at}.program`)
    if (j['metric'] === undefined) throw new ConfigError('is required with program: (example, output) => number', `${at}.metric`)
    if (!Array.isArray(j['trainset']) || j['trainset'].length === 0)
      throw new ConfigError('must be a non-empty array of examples', `${at}.trainset`)
  }
  if (j['space'] !== undefined) rethrowAs(`${at}.space`, () => parseSpace(j['space']))
  if (j['sessionId'] !== undefined) rethrowAs(`${at}.sessionId`, () => assertSessionId(j['sessionId']))
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

function schemaError(value: unknown, errors: SchemaError[]): ConfigError {
  const relevant = errors.filter((e) => e.keyword !== 'boolean')
  const first = relevant[0]
  if (!first) return new ConfigError('does not match the config shape')
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params['additionalProperties'] as string[] | undefined)?.[0] ?? '?'
    const known = fieldsAt(ConfigSchema, first.instancePath)
    const nearest = nearestName(extra, known)
    return new ConfigError(
      `is not a config field (${nearest !== undefined ? `did you mean ${nearest}?` : `known: ${known.join(', ')}`})`,
      join(first.instancePath, extra),
    )
  }
  // A union: report the union, not its first branch.
  const union = first.schemaPath.includes('/anyOf/')
    ? relevant.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath)
    : undefined
  const error = union ?? first
  const field = join(error.instancePath)
  const leaf = field.split('.').pop() ?? ''
  const hint = FIELD_HINTS[leaf] ?? FIELD_HINTS[field]
  const got = describe(at(value, error.instancePath))
  if (hint && union) return new ConfigError(`${hint}, got ${got}`, field)
  if (error.keyword === 'required')
    return new ConfigError(
      `is required`,
      join(error.instancePath, String((error.params['requiredProperties'] as string[] | undefined)?.[0])),
    )
  return new ConfigError(`${plain(error)}, got ${got}`, field || undefined)
}

/** The field names the schema allows at `instancePath` (through records such as `jobs`). */
function fieldsAt(schema: TSchema, instancePath: string): string[] {
  let s: TSchema | undefined = schema
  for (const part of instancePath.split('/').filter((p) => p !== '')) {
    const node = s as { properties?: Record<string, TSchema>; patternProperties?: Record<string, TSchema> }
    s = node.properties?.[part] ?? Object.values(node.patternProperties ?? {})[0]
    if (s === undefined) return []
  }
  return Object.keys((s as { properties?: object }).properties ?? {})
}

function plain(e: SchemaError): string {
  switch (e.keyword) {
    case 'type':
      return `must be ${e.params['type'] === 'integer' ? 'an integer' : `a ${String(e.params['type'])}`}`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(e.params['comparison'])} ${String(e.params['limit'])}`
    case 'minLength':
      return 'must not be empty'
    default:
      return e.message
  }
}

function join(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (extra !== undefined) parts.push(extra)
  return parts.join('.')
}

function at(value: unknown, instancePath: string): unknown {
  let v: unknown = value
  for (const p of instancePath.split('/').filter((x) => x !== '')) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return v
}

function describe(v: unknown): string {
  if (typeof v === 'function') return 'a function'
  if (v === undefined) return 'undefined'
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object'
  return JSON.stringify(v) ?? String(v)
}
