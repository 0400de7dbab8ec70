/** The vitest projects of this repository; `vitest.config.ts` runs them all. */
export default ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'docs/vitest.config.ts', 'packaging/vitest.config.ts']
