import { AlreadyRunningError, AlreadyTerminalError, InvalidInputError } from '@cairn/core'

/** The prefix of every message this package writes. */
export const PKG = '[cairn]'

function prefixed(message: string, field?: string): string {
  return `${PKG} ${field ? `${field}: ` : ''}${message}`
}

/** Drops the `field: ` prefix core's InvalidInputError puts on a message that reads as a sentence on its own. */
function sentence(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
}

/**
 * A malformed `cairn.config.ts` (or a config object given to `createCairn`). `field` names the
 * offending field, e.g. `jobs.quickstart.maxTrials`.
 */
export class ConfigError extends InvalidInputError {
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super(message, field)
    this.message = prefixed(message, field)
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** A store URI that does not parse, or names a scheme Cairn does not know. */
export class StoreUriError extends InvalidInputError {
  readonly uri: string
  constructor(uri: string, message: string) {
    super(message, 'store')
    this.message = prefixed(`${JSON.stringify(uri)} ${message}`, 'store')
    this.uri = uri
  }
}

/**
 * A Cairn package needed for what was asked (a store, the built-in optimizers, the recovery
 * monitor) is not installed. The message says what to install.
 */
export class MissingPackageError extends InvalidInputError {
  readonly packageName: string
  constructor(packageName: string, neededFor: string, options?: { cause?: unknown }) {
    super(
      `${neededFor} needs the package ${packageName}, which is not installed; install it with \`npm install ${packageName}\` (or pnpm add / yarn add)`,
    )
    this.message = prefixed(this.message)
    this.packageName = packageName
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** The config defines no job of that name (or the session names no job the config defines). */
export class UnknownJobError extends InvalidInputError {
  readonly job: string | undefined
  constructor(job: string | undefined, known: readonly string[], sessionId?: string) {
    const list = known.length > 0 ? `the config defines ${known.map((k) => `"${k}"`).join(', ')}` : 'the config defines no jobs'
    super(
      job === undefined
        ? `session "${sessionId}" was not started from a job, so there is nothing to resume it with (${list})`
        : `unknown job "${job}"${sessionId ? ` (named by session "${sessionId}")` : ''}: ${list}`,
      'job',
    )
    this.message = prefixed(sentence(this.message, 'job'))
    this.job = job
  }
}

/** An optimizer name that neither the config's `optimizers` nor the built-in ones define. */
export class UnknownOptimizerError extends InvalidInputError {
  constructor(name: string, known: readonly string[]) {
    super(`unknown optimizer "${name}"; known: ${known.map((k) => `"${k}"`).join(', ')}`, 'optimizer')
    this.message = prefixed(sentence(this.message, 'optimizer'))
  }
}

/**
 * A job's `pruner` names no pruner of `@cairn/optimizers` that a name can build (`known`);
 * `suggestion` is the nearest known name, when one is close.
 */
export class UnknownPrunerError extends InvalidInputError {
  readonly suggestion: string | undefined
  constructor(name: string, known: readonly string[], suggestion: string | undefined, field = 'pruner') {
    const hint = suggestion !== undefined ? `did you mean "${suggestion}"? ` : ''
    super(
      `unknown pruner "${name}"; ${hint}known: ${known.map((k) => `"${k}"`).join(', ')} (percentilePruner() and patientPruner() take arguments: give the Pruner object)`,
      field,
    )
    this.message = prefixed(this.message)
    this.suggestion = suggestion
  }
}

/**
 * A session is being driven by a live process, so it cannot be deleted (or driven here).
 * Extends core's `AlreadyRunningError` (code `ALREADY_RUNNING`, with `leaseExpiresAt`); the
 * message says who drives it, when its lease runs out, and `remedy`: what to do instead.
 */
export class SessionBusyError extends AlreadyRunningError {
  constructor(sessionId: string, owner: string | undefined, leaseExpiresAt: number | undefined, remedy: string) {
    super(sessionId, owner, undefined, leaseExpiresAt === undefined ? {} : { leaseExpiresAt })
    const expiry = leaseExpiresAt === undefined ? '' : ` (${leaseExpiry(leaseExpiresAt)})`
    this.message = prefixed(`session "${sessionId}" is being driven by ${owner ?? 'another process'}${expiry}; ${remedy}`)
  }
}

/** "lease expires in 12 s" (rounded up), or "lease expired" once past. */
function leaseExpiry(expiresAt: number, now = Date.now()): string {
  const seconds = Math.ceil((expiresAt - now) / 1000)
  if (seconds <= 0) return 'lease expired'
  return seconds < 120 ? `lease expires in ${seconds} s` : `lease expires in ${Math.ceil(seconds / 60)} min`
}

/**
 * `pause` or `cancel` of a session that already finished (completed, failed or cancelled):
 * there is nothing to pause or cancel. Extends core's `AlreadyTerminalError` (code `ALREADY_TERMINAL`).
 */
export class SessionFinishedError extends AlreadyTerminalError {
  readonly action: 'pause' | 'cancel'
  constructor(sessionId: string, status: string, action: 'pause' | 'cancel') {
    super(sessionId, status)
    this.message = prefixed(`session "${sessionId}" is already ${status}; nothing to ${action}`)
    this.action = action
  }
}

/** A command that needs the config (its jobs) found no config file. Code `INVALID_INPUT`. */
export class NoConfigError extends ConfigError {
  readonly dir: string
  constructor(dir: string, files: readonly string[], neededFor: string) {
    super(`no config file found in ${dir} (looked for ${files.join(', ')}); ${neededFor}: create one or give --config <file>`)
    this.dir = dir
  }
}

/**
 * The store is held by another process that does not serve it: a LevelDB store (`level:`) admits
 * one process at a time, and other processes read through that one, unless it opened the database
 * with `serve: false` (or is an older cairn). Code `INVALID_INPUT`.
 */
export class StoreLockedError extends InvalidInputError {
  readonly uri: string
  constructor(uri: string, options?: { cause?: unknown }) {
    super(
      `the store ${uri} is in use by another process that does not let other processes read it (a program that opened it with \`serve: false\`, or an older cairn): ` +
        'a LevelDB store admits one process at a time. Stop that process or wait for it to end (Ctrl-C pauses a `cairn run`). ' +
        'To share sessions between processes that all write, use `fs:./.cairn-fs` (one machine) or `dynamodb://<table>` (several machines).',
      'store',
    )
    this.message = prefixed(sentence(this.message, 'store'))
    this.uri = uri
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/**
 * `cairn worker` (or `Cairn#join`) of a session whose job is a program job (program + trainset +
 * metric): a worker evaluates an objective (a space + objective job). Code `INVALID_INPUT`.
 */
export class WorkerJobError extends InvalidInputError {
  readonly sessionId: string
  constructor(sessionId: string, job: string) {
    super(
      `session "${sessionId}" runs the program job "${job}" (program + trainset + metric); workers evaluate jobs with a space and an objective`,
      'job',
    )
    this.message = prefixed(sentence(this.message, 'job'))
    this.sessionId = sessionId
  }
}

/**
 * A job with neither objective nor program (an ask/tell job) was asked to run, resume or serve
 * workers: its trials are evaluated by the caller. Code `INVALID_INPUT`, field `job`.
 */
export class AskTellJobError extends InvalidInputError {
  readonly job: string
  constructor(job: string) {
    super(
      `job "${job}" has no objective (an ask/tell job): create a session with \`cairn create ${job}\` and drive it with \`cairn ask\` / \`cairn tell\``,
      'job',
    )
    this.message = prefixed(sentence(this.message, 'job'))
    this.job = job
  }
}

/** An argument of `cairn tell` / `cairn enqueue` that is not the JSON (or number) it should be. Code `INVALID_INPUT`. */
export class JsonArgumentError extends InvalidInputError {
  constructor(what: string, given: string, reason: string) {
    super(`${what} must be ${reason}, got ${JSON.stringify(given.length > 200 ? `${given.slice(0, 200)}…` : given)}`, what)
    this.message = prefixed(sentence(this.message, what))
  }
}
