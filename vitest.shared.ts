import { defineProject } from 'vitest/config'

/**
 * Resolve workspace packages to their TypeScript sources (the `@cairn/source` export
 * condition), so tests never run against a stale `dist/`.
 */
export const sourceConditions = ['@cairn/source', 'node', 'development|production']

export function defineCairnProject(name: string, extra: { testTimeout?: number; globalSetup?: string[] } = {}) {
  return defineProject({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@cairn/source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: extra.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      ...(extra.globalSetup ? { globalSetup: extra.globalSetup } : {}),
    },
  })
}
