/**
 * Benchmark of `saveTrialProgress` (a trial's checkpoint) on each durable store, beside the raw
 * durable write of the same bytes:
 *
 * - fs: `saveTrialProgress` of `@cairn/store-fs` vs write a temporary file + fdatasync + rename
 *   + fsync of the directory (an atomic, durable replace of one file);
 * - level: `saveTrialProgress` of `@cairn/store-level` vs one raw `level` put with `sync: true`
 *   of the same bytes (LevelDB accepts one 10 MB value; the store writes 1 MiB chunks);
 * - DynamoDB Local: `saveTrialProgress` of `@cairn/store-dynamodb` vs the raw writes the bytes
 *   need at least: one `PutItem` up to 350 KB, else `BatchWriteItem`s of 350 KB items.
 *
 * Sizes 1 KB, 100 KB and 10 MB; store and raw writes alternate (which goes first alternates
 * too), medians over the iterations.
 * Target (issue 14): a checkpoint costs ≤ one raw durable write (ratio ≤ 1, allowing the small
 * overhead of the header and the checksum).
 *
 * `pnpm bench trial-progress`, or `pnpm bench trial-progress -- --no-dynamodb` to skip
 * DynamoDB Local (it needs Java).
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { CheckpointStore } from '@cairn/core'
import { createDynamoDbStore, createTable } from '@cairn/store-dynamodb'
import { localClientConfig, startDynamoDbLocal } from '@cairn/store-dynamodb/testing'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { makeHead } from '@cairn/testkit'
import { openRawLevel, rawFsWrite } from './lib/raw-writes.js'
import { median, printTable, round, type Row } from './lib/stats.js'

// The raw DynamoDB writes use the very SDK copy the store uses: a dependency of @cairn/store-dynamodb, not of the root.
const requireFromDynamo = createRequire(fileURLToPath(new URL('../packages/store-dynamodb/package.json', import.meta.url)))
const { PutItemCommand, BatchWriteItemCommand } = requireFromDynamo('@aws-sdk/client-dynamodb') as {
  PutItemCommand: new (input: object) => object
  BatchWriteItemCommand: new (input: object) => object
}

const SIZES = [
  { label: '1 KB', bytes: 1024, iterations: 200 },
  { label: '100 KB', bytes: 100 * 1024, iterations: 100 },
  { label: '10 MB', bytes: 10 * 1024 * 1024, iterations: 15 },
] as const
/** DynamoDB Local is slower per byte: fewer 10 MB rounds. */
const DYNAMO_ITERATIONS = { '1 KB': 100, '100 KB': 50, '10 MB': 10 } as const
/** Unmeasured rounds first (DynamoDB Local's JIT warms up over the first large requests). */
const WARMUP = 3
const CHUNK = 350 * 1024

export interface ProgressFigure {
  store: string
  size: string
  /** Median µs of one `saveTrialProgress`. */
  saveUs: number
  /** Median µs of the raw durable write of the same bytes. */
  rawUs: number
  /** saveUs / rawUs (target ≤ 1). */
  ratio: number
  iterations: number
}

export type TrialProgressFigures = { figures: ProgressFigure[]; raw: Record<string, string> }

const nowUs = () => Number(process.hrtime.bigint()) / 1e3

/** Bytes that differ from one save to the next (a real checkpoint does). */
function payload(n: number, k: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 512) out[i] = (k + i) & 0xff
  return out
}

/** Alternates `save` and `raw` `iterations` times; the medians and their ratio. */
async function measure(
  store: string,
  size: (typeof SIZES)[number],
  iterations: number,
  save: (bytes: Uint8Array) => Promise<void>,
  raw: (bytes: Uint8Array) => Promise<void>,
  /** Untimed, after each save: lets work the save left in the background finish before the raw write. */
  settle: () => Promise<void> = async () => undefined,
): Promise<ProgressFigure> {
  const saves: number[] = []
  const raws: number[] = []
  // A few of each first, unmeasured: files, keys and connections exist from then on.
  for (let k = 0; k < WARMUP; k++) {
    await save(payload(size.bytes, 0))
    await settle()
    await raw(payload(size.bytes, 0))
  }
  const timeSave = async (bytes: Uint8Array) => {
    const t = nowUs()
    await save(bytes)
    saves.push(nowUs() - t)
    await settle()
  }
  const timeRaw = async (bytes: Uint8Array) => {
    const t = nowUs()
    await raw(bytes)
    raws.push(nowUs() - t)
  }
  // Which goes first alternates, so neither always follows the other's flush.
  for (let k = 1; k <= iterations; k++) {
    const bytes = payload(size.bytes, k)
    if (k % 2 === 1) {
      await timeSave(bytes)
      await timeRaw(bytes)
    } else {
      await timeRaw(bytes)
      await timeSave(bytes)
    }
  }
  const saveUs = median(saves)
  const rawUs = median(raws)
  return { store, size: size.label, saveUs: round(saveUs, 1), rawUs: round(rawUs, 1), ratio: round(saveUs / rawUs, 2), iterations }
}

async function session(store: CheckpointStore): Promise<string> {
  const head = makeHead()
  await store.create(head)
  return head.sessionId
}

async function benchFs(figures: ProgressFigure[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-progress-fs-'))
  const store = createFsStore({ dir })
  try {
    const id = await session(store)
    const rawDir = join(dir, 'raw')
    await mkdir(rawDir)
    const rawWrite = rawFsWrite(rawDir)
    for (const size of SIZES)
      figures.push(await measure('fs', size, size.iterations, (b) => store.saveTrialProgress(id, 0, 1, b), rawWrite))
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

async function benchLevel(figures: ProgressFigure[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-progress-level-'))
  const store = createLevelStore({ location: join(dir, 'store') })
  const raw = await openRawLevel(join(dir, 'raw'))
  try {
    const id = await session(store)
    for (const size of SIZES)
      figures.push(await measure('level', size, size.iterations, (b) => store.saveTrialProgress(id, 0, 1, b), raw.write))
  } finally {
    await store.close()
    await raw.close()
    await rm(dir, { recursive: true, force: true })
  }
}

async function benchDynamoDb(figures: ProgressFigure[]): Promise<void> {
  const local = await startDynamoDbLocal({ timeoutMs: 90_000 })
  try {
    const clientConfig = localClientConfig(local.endpoint)
    const tableName = 'cairn-bench-progress'
    await createTable({ tableName, clientConfig })
    const store = createDynamoDbStore({ tableName, clientConfig })
    const id = await session(store)
    await store.load(id)
    const rawWrite = async (bytes: Uint8Array) => {
      if (bytes.length <= CHUNK) {
        await store.client.send(
          new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'raw' }, sk: { S: 'value' }, body: { B: bytes } } }) as never,
        )
        return
      }
      const writeId = randomUUID()
      const items = []
      for (let k = 0, at = 0; at < bytes.length; k++, at += CHUNK)
        items.push({
          PutRequest: { Item: { pk: { S: 'raw' }, sk: { S: `${writeId}#${k}` }, body: { B: bytes.subarray(at, at + CHUNK) } } },
        })
      for (let i = 0; i < items.length; i += 25)
        await store.client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: items.slice(i, i + 25) } }) as never)
    }
    for (const size of SIZES)
      figures.push(
        await measure(
          'dynamodb-local',
          size,
          DYNAMO_ITERATIONS[size.label],
          async (b) => {
            await store.saveTrialProgress(id, 0, 1, b)
            await store.flush() // the superseded chunks' deletion, so it is not left to the next save
          },
          rawWrite,
        ),
      )
    await store.close()
  } finally {
    await local.stop()
  }
}

export async function run(): Promise<TrialProgressFigures> {
  const figures: ProgressFigure[] = []
  await benchFs(figures)
  await benchLevel(figures)
  if (!process.argv.includes('--no-dynamodb')) await benchDynamoDb(figures)
  return {
    figures,
    raw: {
      fs: 'write a temporary file, fdatasync, rename, fsync the directory',
      level: 'one level put of the same bytes with sync: true',
      'dynamodb-local': 'one PutItem up to 350 KB, else BatchWriteItems of 350 KB items (DynamoDB Local, in memory)',
    },
  }
}

export const title = 'saveTrialProgress vs the raw durable write of the same bytes (medians; target ratio ≤ 1)'

export function table(result: TrialProgressFigures): Row[] {
  return result.figures.map((f) => ({
    store: f.store,
    size: f.size,
    save: `${f.saveUs} µs`,
    raw: `${f.rawUs} µs`,
    'save / raw': f.ratio,
    n: f.iterations,
  }))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const f = await run()
  console.log(JSON.stringify(f, null, 2))
  printTable(title, table(f))
}
