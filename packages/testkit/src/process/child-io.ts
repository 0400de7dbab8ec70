import { writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { CheckpointStore } from '@cairn/core'

/** Says one JSON line on stdout, synchronously: what was said survives a SIGKILL right after. */
export function say(msg: unknown): void {
  writeSync(1, `${JSON.stringify(msg)}\n`)
}

/** Opens the store through the fixture's child module (`openStore(args)`). */
export async function openChildStore(storeModule: string, args: string[]): Promise<CheckpointStore> {
  const mod = (await import(pathToFileURL(storeModule).href)) as { openStore(args: string[]): Promise<CheckpointStore> }
  return mod.openStore(args)
}

/** Runs a child process's `main`: exit 0 when it is done; on a failure, says `{ error }`, writes the stack to stderr and exits 1. */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      const e = err as { code?: unknown; name?: unknown; message?: unknown; stack?: unknown } | null
      say({ error: { code: e?.code, name: e?.name, message: e?.message } })
      process.stderr.write(`${String(e?.stack ?? err)}\n`)
      process.exit(1)
    },
  )
}
