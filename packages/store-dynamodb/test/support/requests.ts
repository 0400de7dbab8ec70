import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/** One request as sent, and the capacity units DynamoDB says it consumed (when asked for). */
export interface RecordedRequest {
  command: string
  units: number | undefined
}

/**
 * Records every request `client` sends (once per command: the SDK's retries of it are not
 * counted apart), for tests that hold an operation to its request count. With `capacity`, each request also asks DynamoDB for the
 * capacity it consumed (`ReturnConsumedCapacity: 'TOTAL'`). `remove()` detaches it.
 */
export function recordRequests(
  client: DynamoDBClient,
  options: { capacity?: boolean } = {},
): { requests: RecordedRequest[]; commands(): string[]; remove(): void } {
  const name = `cairn-test-record-${Math.random().toString(36).slice(2)}`
  const requests: RecordedRequest[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: unknown }).commandName)
      if (options.capacity && command !== 'DescribeTableCommand') (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL'
      const out = await next(args)
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{ CapacityUnits?: number }>
      requests.push({ command, units: options.capacity ? list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0) : undefined })
      return out
    },
    { step: 'initialize', name },
  )
  return { requests, commands: () => requests.map((r) => r.command), remove: () => void client.middlewareStack.remove(name) }
}
