/**
 * Command-line flags of the benchmarks, parsed by Node's `util.parseArgs`: long flags only,
 * each a switch (`--quick`) or taking one value (`--trials 100` or `--trials=100`), plus
 * `--help` / `-h`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** One flag of a benchmark. */
export interface Flag<T> {
  /** Name of the flag's value in the usage text (`--trials <n>`); absent for a switch. */
  value?: string
  /** One line for the usage text. */
  help: string
  /** Applies the flag to the options (`value` is '' for a switch). */
  apply(options: T, value: string): void
}

/** A benchmark's command line: its flags by name (without `--`) and its default options. */
export interface Cli<T> {
  /** How the usage text names the command, e.g. `bench/optimizers.ts`. */
  command: string
  flags: Readonly<Record<string, Flag<T>>>
  /** Fresh default options (the flags are applied to them). */
  defaults(): T
}

/** A malformed command line: an unknown flag, a missing value, a value on a switch, a stray argument. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The integer `value` of `--flag`, at least `min`; a `UsageError` naming the flag otherwise. */
export function integerFlag(flag: string, value: string, min = 0): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} needs an integer ≥ ${min}, got ${JSON.stringify(value)}`)
  return n
}

/** The positive number `value` of `--flag`; a `UsageError` naming the flag otherwise. */
export function positiveFlag(flag: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag} needs a positive number, got ${JSON.stringify(value)}`)
  return n
}

/** The comma-separated positive integers `value` of `--flag` (`1,2,4,8`); a `UsageError` naming the flag otherwise. */
export function integerListFlag(flag: string, value: string): number[] {
  const list = value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)))
  if (list.some((n) => !Number.isInteger(n) || n <= 0))
    throw new UsageError(`--${flag} needs positive integers like 1,2,4,8, got ${JSON.stringify(value)}`)
  return list
}

/**
 * Parses `argv` (without node and the script) against `cli`. Flags are applied in
 * command-line order, so in `--quick --trials 10` the later `--trials` overrides the preset,
 * and a repeated flag's last value wins. `help` is true when `--help` or `-h` was given.
 * Throws `UsageError` on a malformed command line.
 */
export function parseFlags<T>(cli: Cli<T>, argv: readonly string[]): { options: T; help: boolean } {
  const config = { help: { type: 'boolean', short: 'h' } } as NonNullable<ParseArgsConfig['options']>
  for (const [name, flag] of Object.entries(cli.flags)) config[name] = { type: flag.value === undefined ? 'boolean' : 'string' }
  let tokens
  try {
    ;({ tokens } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false, tokens: true }))
  } catch (err) {
    if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message)
    throw err
  }
  const options = cli.defaults()
  let help = false
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    if (token.name === 'help') help = true
    else (cli.flags[token.name] as Flag<T>).apply(options, token.value ?? '')
  }
  return { options, help }
}

/** The usage text of `cli`. */
export function usage<T>(cli: Cli<T>): string {
  const rows = Object.entries(cli.flags).map(([name, flag]) => [
    `--${name}${flag.value === undefined ? '' : ` <${flag.value}>`}`,
    flag.help,
  ])
  rows.push(['--help, -h', 'print this text'])
  const width = Math.max(...rows.map(([left]) => (left as string).length))
  const lines = rows.map(([left, help]) => `  ${(left as string).padEnd(width)}  ${help}`)
  return [`usage: node --conditions=@cairn/source --import tsx ${cli.command} [flags]`, '', ...lines].join('\n')
}

/**
 * The options of a benchmark run from the command line: parses `argv` (default: this
 * process's arguments); on `--help` prints the usage and exits 0; on a malformed command line
 * prints the error and the usage to stderr and exits 2.
 */
export function readCli<T>(cli: Cli<T>, argv: readonly string[] = process.argv.slice(2)): T {
  try {
    const { options, help } = parseFlags(cli, argv)
    if (help) {
      console.log(usage(cli))
      process.exit(0)
    }
    return options
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`${cli.command}: ${err.message}\n\n${usage(cli)}`)
    process.exit(2)
  }
}
