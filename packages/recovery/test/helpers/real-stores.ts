import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CheckpointStore } from '@cairn/core'
import { createDynamoDbStore, createTable, type DynamoDbStore } from '@cairn/store-dynamodb'
import { localClientConfig } from '@cairn/store-dynamodb/testing'
import { createFsStore, type FsStore } from '@cairn/store-fs'
import { damageHead as damageFsHead } from '@cairn/store-fs/testing'
import { createLevelStore, type LevelStore } from '@cairn/store-level'
import { corruptHead as corruptLevelHead } from '@cairn/store-level/testing'
import { inject } from 'vitest'
import { repoRoot } from './processes.js'

/** The AWS SDK command @cairn/store-dynamodb depends on (not a dependency of this package). */
const { GetItemCommand, UpdateItemCommand } = createRequire(join(repoRoot, 'packages/store-dynamodb/package.json'))(
  '@aws-sdk/client-dynamodb',
) as {
  GetItemCommand: new (input: object) => object
  UpdateItemCommand: new (input: object) => object
}

/** What a damaged head holds in the stores whose damage is written with a raw write. */
const ROT = new TextEncoder().encode('bit rot')

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole run (vitest.dynamodb-local.ts at the repository root). */
    dynamoDbEndpoint: string
  }
}

/** One real store, opened on fresh data for one test. */
export interface RealStore {
  store: CheckpointStore
  /**
   * Another handle on the same data, as a second process would open it (fs: another store
   * instance on the directory; DynamoDB: another client on the table; level, one process per
   * database: the same instance).
   */
  another(): CheckpointStore
  /**
   * Damages the head of a session the way storage rots, leaving what the store keeps beside it
   * (its trial log, its listing) intact. Returns the damaged bytes as stored.
   */
  damageHead(sessionId: string): Promise<Uint8Array>
  /** The bytes kept at `keptAs` by `replaceDamagedHead`, where the store can be read under its API (fs, DynamoDB). */
  readKept?(keptAs: string): Promise<Uint8Array | undefined>
  close(): Promise<void>
}

/** A tiny fs journal budget: the journal is folded into trials.log every eight records. */
const FS_JOURNAL_BYTES = 1

async function fsStore(): Promise<RealStore> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-recovery-real-'))
  const open = (): FsStore => createFsStore({ dir, durable: false, journalBytes: FS_JOURNAL_BYTES })
  const stores = [open()]
  const first = stores[0] as FsStore
  return {
    store: first,
    another: () => {
      const s = open()
      stores.push(s)
      return s
    },
    damageHead: async (id) => {
      // Bit rot in the only record of a just-folded journal: nothing older is left to fall back on.
      const { records } = await damageFsHead(first, id)
      if (records !== 1) throw new Error(`test setup: the journal of "${id}" holds ${records} records, not one`)
      return readFile(join(dir, 'sessions', id, 'journal'))
    },
    readKept: (keptAs) => readFile(keptAs),
    close: async () => {
      await Promise.all(stores.map((s) => s.close()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function levelStore(): Promise<RealStore> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-recovery-level-'))
  const store: LevelStore = createLevelStore({ location: dir })
  return {
    store,
    another: () => store,
    damageHead: async (id) => {
      await corruptLevelHead(store, id, ROT)
      return ROT
    },
    close: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

let tables = 0

/** A new, uniquely named table in the run's DynamoDB Local, its endpoint and the client settings that reach it. */
export async function newDynamoTable(
  prefix: string,
): Promise<{ tableName: string; endpoint: string; clientConfig: ReturnType<typeof localClientConfig> }> {
  const endpoint = inject('dynamoDbEndpoint')
  const clientConfig = localClientConfig(endpoint)
  const tableName = `${prefix}-${process.pid}-${Date.now().toString(36)}-${tables++}`
  await createTable({ tableName, clientConfig })
  return { tableName, endpoint, clientConfig }
}

async function dynamoStore(): Promise<RealStore> {
  const { tableName, clientConfig: config } = await newDynamoTable('recovery')
  const stores: DynamoDbStore[] = [createDynamoDbStore({ tableName, clientConfig: config })]
  const first = stores[0] as DynamoDbStore
  return {
    store: first,
    another: () => {
      const s = createDynamoDbStore({ tableName, clientConfig: config })
      stores.push(s)
      return s
    },
    damageHead: async (id) => {
      // The encoded head only; the item's own attributes (revision, trial count, listing) stay.
      await first.client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: id }, sk: { S: 'head' } },
          UpdateExpression: 'SET #b = :g',
          ExpressionAttributeNames: { '#b': 'body' },
          ExpressionAttributeValues: { ':g': { B: ROT } },
        }) as never,
      )
      return ROT
    },
    readKept: async (keptAs) => {
      const sk = /sk "([^"]+)"/.exec(keptAs)?.[1] ?? ''
      const out = (await first.client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: /pk "([^"]+)"/.exec(keptAs)?.[1] ?? '' }, sk: { S: sk } } }) as never,
      )) as {
        Item?: { body?: { B?: Uint8Array } }
      }
      return out.Item?.body?.B
    },
    // The table lives in DynamoDB Local's memory, gone when it stops.
    close: async () => {
      await Promise.all(stores.map((s) => s.close()))
    },
  }
}

/** The real stores the recovery tests run on. */
export const REAL_STORES: Array<[name: string, open: () => Promise<RealStore>]> = [
  ['fs', fsStore],
  ['level', levelStore],
  ['dynamodb', dynamoStore],
]

/** A raw LevelDB handle (the store closed: LevelDB admits one opener), to damage records under the store. */
export function rawLevel(location: string): { put(key: string, value: Uint8Array): Promise<void>; close(): Promise<void> } {
  const { Level } = createRequire(join(repoRoot, 'packages/store-level/package.json'))('level') as {
    Level: new (location: string, options: object) => { put(key: string, value: Uint8Array): Promise<void>; close(): Promise<void> }
  }
  return new Level(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
}
