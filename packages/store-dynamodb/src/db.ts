import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  type PutItemCommandInput,
  type QueryCommandInput,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb'
import { isConditionalFailure, requestError } from './errors.js'
import { PK, SK } from './table-design.js'

/** A DynamoDB item in the low-level attribute-value shape. */
export type Item = Record<string, AttributeValue>

/** The outcome of a conditional write: done, or refused with the item as it was (if any). */
export type Conditional<T = Item | undefined> = { ok: true; value: T } | { ok: false; current: Item | undefined }

const BATCH_WRITE_MAX = 25
const BATCH_GET_MAX = 100
const UNPROCESSED_ROUNDS = 8

/** Thin wrapper over the client: one table, errors mapped to Cairn errors, batches retried. */
export class Db {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  key(pk: string, sk: string): Item {
    return { [PK]: { S: pk }, [SK]: { S: sk } }
  }

  /** A strongly consistent read of one item, optionally projected. */
  async get(pk: string, sk: string, attributes?: readonly string[]): Promise<Item | undefined> {
    const projection = attributes ? project(attributes) : undefined
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key(pk, sk), ConsistentRead: true, ...projection }),
      )
      return out.Item
    } catch (err) {
      throw requestError('GetItem', this.tableName, err)
    }
  }

  /** PutItem; a failed condition comes back as `{ ok: false, current }` (the item as it was). */
  async put(input: Omit<PutItemCommandInput, 'TableName'>): Promise<Conditional> {
    try {
      const out = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          ...(input.ConditionExpression ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
          ...input,
        }),
      )
      return { ok: true, value: out.Attributes }
    } catch (err) {
      if (isConditionalFailure(err)) return { ok: false, current: err.Item as Item | undefined }
      throw requestError('PutItem', this.tableName, err)
    }
  }

  /** UpdateItem; a failed condition comes back as `{ ok: false, current }`. */
  async update(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<Conditional> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          ...(input.ConditionExpression ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
          ...input,
        }),
      )
      return { ok: true, value: out.Attributes }
    } catch (err) {
      if (isConditionalFailure(err)) return { ok: false, current: err.Item as Item | undefined }
      throw requestError('UpdateItem', this.tableName, err)
    }
  }

  /** DeleteItem; a failed condition comes back as `{ ok: false, current }`. */
  async delete(input: Omit<DeleteItemCommandInput, 'TableName'>): Promise<Conditional> {
    try {
      const out = await this.client.send(new DeleteItemCommand({ TableName: this.tableName, ...input }))
      return { ok: true, value: out.Attributes }
    } catch (err) {
      if (isConditionalFailure(err)) return { ok: false, current: err.Item as Item | undefined }
      throw requestError('DeleteItem', this.tableName, err)
    }
  }

  /** One page of a query. */
  async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Item[]; next: Item | undefined }> {
    try {
      const out = await this.client.send(new QueryCommand({ TableName: this.tableName, ...input }))
      return { items: out.Items ?? [], next: out.LastEvaluatedKey }
    } catch (err) {
      throw requestError('Query', this.tableName, err)
    }
  }

  /** Every item of a query, following `LastEvaluatedKey`. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const out: Item[] = []
    let start: Item | undefined
    do {
      const page = await this.query({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })
      out.push(...page.items)
      start = page.next
    } while (start)
    return out
  }

  /** Puts items unconditionally, 25 a batch, retrying unprocessed ones. */
  async batchPut(items: readonly Item[]): Promise<void> {
    await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })))
  }

  /** Deletes items by key, 25 a batch, retrying unprocessed ones. */
  async batchDelete(keys: readonly Item[]): Promise<void> {
    await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })))
  }

  /** Strongly consistent reads of many items by key (missing ones are simply absent). */
  async batchGet(keys: readonly Item[]): Promise<Item[]> {
    const out: Item[] = []
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let pending: Item[] = keys.slice(i, i + BATCH_GET_MAX)
      for (let round = 0; pending.length > 0; round++) {
        if (round >= UNPROCESSED_ROUNDS) throw requestError('BatchGetItem', this.tableName, throttled('BatchGetItem', pending.length))
        if (round > 0) await backoff(round)
        try {
          const res = await this.client.send(
            new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
          )
          out.push(...(res.Responses?.[this.tableName] ?? []))
          pending = res.UnprocessedKeys?.[this.tableName]?.Keys ?? []
        } catch (err) {
          throw requestError('BatchGetItem', this.tableName, err)
        }
      }
    }
    return out
  }

  private async batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) {
      let pending: WriteRequest[] = requests.slice(i, i + BATCH_WRITE_MAX)
      for (let round = 0; pending.length > 0; round++) {
        if (round >= UNPROCESSED_ROUNDS) throw requestError('BatchWriteItem', this.tableName, throttled('BatchWriteItem', pending.length))
        if (round > 0) await backoff(round)
        try {
          const res = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }))
          pending = res.UnprocessedItems?.[this.tableName] ?? []
        } catch (err) {
          throw requestError('BatchWriteItem', this.tableName, err)
        }
      }
    }
  }
}

/** `ProjectionExpression` + names for a list of attributes. */
export function project(attributes: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names: Record<string, string> = {}
  const parts = attributes.map((a, i) => {
    names[`#p${i}`] = a
    return `#p${i}`
  })
  return { ProjectionExpression: parts.join(', '), ExpressionAttributeNames: names }
}

function throttled(operation: string, left: number): Error {
  const err = new Error(`${left} request(s) of a ${operation} stayed unprocessed after ${UNPROCESSED_ROUNDS} rounds`)
  err.name = 'ProvisionedThroughputExceededException'
  return err
}

function backoff(round: number): Promise<void> {
  const ms = Math.random() * Math.min(2_000, 50 * 2 ** round)
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Attribute-value helpers. */
export const av = {
  s: (v: string): AttributeValue => ({ S: v }),
  n: (v: number): AttributeValue => ({ N: String(v) }),
  b: (v: Uint8Array): AttributeValue => ({ B: v }),
}

/** Reads a string attribute. */
export function str(item: Item | undefined, name: string): string | undefined {
  const v = item?.[name]
  return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined
}

/** Reads a number attribute. */
export function num(item: Item | undefined, name: string): number | undefined {
  const v = item?.[name]
  if (!v || !('N' in v) || typeof v.N !== 'string') return undefined
  const n = Number(v.N)
  return Number.isFinite(n) ? n : undefined
}

/** Reads a binary attribute. */
export function bin(item: Item | undefined, name: string): Uint8Array | undefined {
  const v = item?.[name]
  return v && 'B' in v && v.B instanceof Uint8Array ? v.B : undefined
}
