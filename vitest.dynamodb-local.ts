import { launchDynamoDbLocal, type LocalDynamoDb } from '@cairn/store-dynamodb/testing'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local every project of the run shares (each test makes its own tables). */
    dynamoDbEndpoint: string
  }
}

/** One DynamoDB Local per vitest process, whichever projects ask for it (global setups share this process's globals). */
const SHARED = Symbol.for('cairn.vitest.dynamoDbLocal')
interface Shared {
  local: Promise<LocalDynamoDb>
  users: number
}

/**
 * Global setup of the projects that use DynamoDB Local (see `dynamoDbLocal` in vitest.shared.ts):
 * the first one spawns it, every one gets its endpoint, the last one's teardown stops it. It
 * does not wait for Java to answer — other projects' tests run meanwhile; vitest.dynamodb-ready.ts
 * waits in the test files that need it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const globals = globalThis as { [SHARED]?: Shared }
  const shared = (globals[SHARED] ??= { local: launchDynamoDbLocal({ timeoutMs: 120_000 }), users: 0 })
  shared.users++
  const local = await shared.local
  project.provide('dynamoDbEndpoint', local.endpoint)
  return async () => {
    if (--shared.users > 0) return
    delete globals[SHARED]
    await local.stop()
  }
}
