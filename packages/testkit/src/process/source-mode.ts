/** True when testkit runs from its TypeScript sources (this monorepo), false from `dist/`. */
export const SOURCE_MODE = import.meta.url.endsWith('.ts')

/**
 * Whether the child processes run testkit's TypeScript sources (through tsx, with the
 * `@cairn/source` condition): when testkit itself runs from sources, unless
 * `CAIRN_TESTKIT_CHILDREN=built` — then they run testkit's built `dist/` on plain Node, as they do
 * from an installed testkit, at a fraction of the CPU of a start through tsx. This monorepo's
 * test setup sets it when every package's build is current (vitest.children-env.ts); the fixtures
 * then give JavaScript child modules too.
 */
export function childrenFromSources(): boolean {
  return SOURCE_MODE && process.env['CAIRN_TESTKIT_CHILDREN'] !== 'built'
}
