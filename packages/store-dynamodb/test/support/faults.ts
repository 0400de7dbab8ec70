import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/** The command name and input of a request passing through the client. */
export interface Request {
  command: string
  input: Record<string, unknown>
}

/**
 * What a fault does to one request attempt: `'before'` throws instead of sending it,
 * `'after'` sends it (so it lands) and throws instead of returning the answer.
 */
export interface Fault {
  when: 'before' | 'after'
  /** Which attempts it applies to. */
  match(request: Request): boolean
  /** The error to throw (a fresh one per hit). */
  error(): Error
  /** How many matching attempts to hit (default: every one). */
  times?: number
}

/** A network error the SDK retries (what a reset connection or a lost answer looks like). */
export function networkError(): Error {
  return Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' })
}

/** What DynamoDB answers when a condition does not hold. */
export function conditionalFailure(): Error {
  return Object.assign(new Error('The conditional request failed (injected)'), {
    name: 'ConditionalCheckFailedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  })
}

/**
 * Adds a fault-injection middleware to `client`, inside the SDK's retry loop (so a retryable
 * injected error is retried like a real one). Returns a handle counting hits, and removes
 * itself with `remove()`.
 */
export function injectFault(client: DynamoDBClient, fault: Fault): { hits: number; remove(): void } {
  const name = `cairn-test-fault-${Math.random().toString(36).slice(2)}`
  const state = { hits: 0, remove: () => void client.middlewareStack.remove(name) }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = { command: String((context as { commandName?: unknown }).commandName), input: args.input as Record<string, unknown> }
      const hit = fault.match(request) && (fault.times === undefined || state.hits < fault.times)
      if (hit && fault.when === 'before') {
        state.hits++
        throw fault.error()
      }
      const out = await next(args)
      if (hit) {
        state.hits++
        throw fault.error()
      }
      return out
    },
    { step: 'deserialize', name, priority: 'low' },
  )
  return state
}

/** Matches the head write of a commit (the commit point). */
export const isHeadCommit = (r: Request): boolean =>
  r.command === 'PutItemCommand' &&
  (r.input.Item as Record<string, { S?: string }> | undefined)?.sk?.S === 'head' &&
  String(r.input.ConditionExpression ?? '').includes('#stamp')

/** Matches a lease renewal. */
export const isRenewal = (r: Request): boolean =>
  r.command === 'UpdateItemCommand' && r.input.UpdateExpression === 'SET #exp = :exp, #stamp = :stamp'

type RawItem = Record<string, { S?: string }> | undefined
const isTrialItem = (item: RawItem): boolean => String(item?.sk?.S ?? '').startsWith('trial#')

/** Matches a write of trial items: the batch that writes out committed records, or a put ahead of a head write. */
export const isTrialWrite = (r: Request): boolean => {
  if (r.command === 'PutItemCommand') return isTrialItem(r.input.Item as RawItem)
  if (r.command !== 'BatchWriteItemCommand') return false
  const requests = Object.values(r.input.RequestItems as Record<string, Array<{ PutRequest?: { Item: RawItem } }>>).flat()
  return requests.some((w) => isTrialItem(w.PutRequest?.Item))
}
