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
 * DynamoDB Local with the JVM's quick compiler only (`-XX:TieredStopAtLevel=1`): a test run is
 * too short for the optimizing compiler to pay back the CPU it spends compiling — with it, Java
 * takes about twice the CPU for the same requests, on a machine whose two cores the tests keep
 * busy. The `java` launcher reads JDK_JAVA_OPTIONS from the environment it is spawned with.
 */
async function launchWithQuickJit(): Promise<LocalDynamoDb> {
  const saved = process.env['JDK_JAVA_OPTIONS']
  process.env['JDK_JAVA_OPTIONS'] = [saved, '-XX:TieredStopAtLevel=1'].filter(Boolean).join(' ')
  try {
    return await launchDynamoDbLocal({ timeoutMs: 120_000 })
  } finally {
    if (saved === undefined) delete process.env['JDK_JAVA_OPTIONS']
    else process.env['JDK_JAVA_OPTIONS'] = saved
  }
}

/**
 * Global setup of the projects that use DynamoDB Local (see `dynamoDbLocal` in vitest.shared.ts):
 * the first one spawns it, every one gets its endpoint, the last one's teardown stops it. It
 * does not wait for Java to answer — other projects' tests run meanwhile; vitest.dynamodb-ready.ts
 * waits in the test files that need it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const globals = globalThis as { [SHARED]?: Shared }
  const shared = (globals[SHARED] ??= { local: launchWithQuickJit(), users: 0 })
  shared.users++
  const local = await shared.local
  project.provide('dynamoDbEndpoint', local.endpoint)
  return async () => {
    if (--shared.users > 0) return
    delete globals[SHARED]
    await local.stop()
  }
}
