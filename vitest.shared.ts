import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'
import { typeboxAliases } from './vitest.typebox.js'

/**
 * Resolve workspace packages to their TypeScript sources (the `@cairn/source` export
 * condition), so tests never run against a stale `dist/`.
 */
export const sourceConditions = ['@cairn/source', 'node', 'development|production']

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export interface CairnProjectOptions {
  testTimeout?: number
  globalSetup?: string[]
  /**
   * The project's tests use DynamoDB Local: one instance is started for the whole run, shared by
   * every project that sets this, its endpoint given to tests as `inject('dynamoDbEndpoint')`.
   * Each test creates its own tables. `true`: every test file waits until it answers before it
   * starts. `'on-demand'`: only files that call `dynamoDbLocalEndpoint()`
   * (vitest.dynamodb-endpoint.ts) wait, for a project where few files use it.
   */
  dynamoDbLocal?: boolean | 'on-demand'
  /**
   * `false`: the project's test files share one module registry per worker instead of importing
   * everything afresh for each file (vitest's `isolate`), a third less CPU for in-process tests.
   * Only for projects whose files leave no global state behind (env variables, mocks, listeners).
   */
  isolate?: boolean
  /**
   * TypeScript modules (relative to the project's folder) that its tests run as child processes,
   * through `childNodeArgs` of vitest.children.ts: when every package's build is fresh they run
   * as JavaScript on plain Node, a fraction of the CPU of a start through tsx. A module that
   * @cairn/testkit's children import (a store fixture's `child.module`) is listed here too, and
   * given to testkit as `childModulePath(file)`.
   */
  childModules?: string[]
}

export function defineCairnProject(name: string, extra: CairnProjectOptions = {}) {
  const globalSetup = [
    ...(extra.dynamoDbLocal ? [here('./vitest.dynamodb-local.ts')] : []),
    ...(extra.childModules ? [here('./vitest.children-setup.ts')] : []),
    ...(extra.globalSetup ?? []),
  ]
  const setupFiles = [
    ...(extra.dynamoDbLocal === true ? [here('./vitest.dynamodb-ready.ts')] : []),
    ...(extra.childModules ? [here('./vitest.children-env.ts')] : []),
  ]
  return defineProject({
    resolve: { conditions: sourceConditions, alias: typeboxAliases() },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@cairn/source'] } },
    // The environment vitest loads global setup files in.
    environments: { __vitest__: { resolve: { conditions: sourceConditions, externalConditions: ['@cairn/source'] } } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: extra.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      ...(globalSetup.length > 0 ? { globalSetup } : {}),
      ...(extra.isolate === false ? { isolate: false } : {}),
      ...(setupFiles.length > 0 ? { setupFiles } : {}),
      ...(extra.childModules ? { provide: { childModules: extra.childModules } } : {}),
    },
  })
}
