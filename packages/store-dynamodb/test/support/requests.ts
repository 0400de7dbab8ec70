import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/**
 * Records the command name of every request attempt `client` sends (retries included), for
 * tests that hold an operation to its request count. `remove()` detaches it.
 */
export function recordRequests(client: DynamoDBClient): { commands: string[]; remove(): void } {
  const name = `cairn-test-record-${Math.random().toString(36).slice(2)}`
  const commands: string[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String((context as { commandName?: unknown }).commandName))
      return next(args)
    },
    { step: 'deserialize', name, priority: 'low' },
  )
  return { commands, remove: () => void client.middlewareStack.remove(name) }
}
