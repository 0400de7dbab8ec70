/**
 * `pnpm bench [name ...]`: runs the benchmarks (all, or those named), prints each one's JSON
 * and table, and writes everything to bench/results/latest.json.
 *
 *   pnpm bench            # every benchmark
 *   pnpm bench core level # just these
 *   pnpm bench multi-objective --seeds=3 --trials=50   # flags go on to the benchmarks, values after `=`
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readCli, type Cli } from './lib/args.js'
import { printTable, type Row } from './lib/stats.js'

interface BenchModule {
  run(options?: unknown): Promise<Record<string, unknown>>
  /** Its command-line flags: given, `pnpm bench <name> --flag=value` passes them to `run`. */
  cli?: Cli<unknown>
  table?(result: Record<string, unknown>): Row[]
  title?: string
  /** Several tables instead of one (`table` and `title`), each with its title. */
  tables?(result: Record<string, unknown>): { title: string; rows: Row[] }[]
}

const ALL = [
  'core',
  'level',
  'dynamodb',
  'optimizers',
  'warm-start',
  'recovery',
  'fewshot',
  'workers',
  'dashboard',
  'dashboard-page',
  'trial-progress',
  'pruners',
  'pruning',
  'ask-tell',
  'multi-objective',
  'conditional',
]
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'))
const names = wanted.length > 0 ? wanted : ALL
const results: Record<string, unknown> = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
  startedAt: new Date().toISOString(),
}

for (const name of names) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  if (!existsSync(file)) {
    const flagValue = /^[\d.]+$/.test(name) ? ` (flag values are written with "=", e.g. --seeds=${name})` : ''
    console.error(`bench: no benchmark named "${name}"${flagValue} (have: ${ALL.join(', ')})`)
    process.exitCode = 2
    continue
  }
  console.log(`\n=== ${name} ===`)
  const mod = (await import(pathToFileURL(file).href)) as BenchModule
  const started = performance.now()
  try {
    const result = await mod.run(mod.cli ? readCli(mod.cli, flags) : undefined)
    results[name] = result
    console.log(JSON.stringify(result, null, 2))
    if (mod.table) printTable(mod.title ?? name, mod.table(result))
    for (const t of mod.tables?.(result) ?? []) printTable(t.title, t.rows)
  } catch (err) {
    results[name] = { error: (err as Error).message }
    console.error(`bench ${name} failed:`, err)
    process.exitCode = 1
  }
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

const out = fileURLToPath(new URL('./results/', import.meta.url))
await mkdir(out, { recursive: true })
await writeFile(`${out}latest.json`, `${JSON.stringify(results, null, 2)}\n`)
console.log(`\nwrote bench/results/latest.json`)
