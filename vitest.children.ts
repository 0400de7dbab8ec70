import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The TypeScript modules the project's tests run as child processes (absolute paths, from
     * `childModules` in its vitest.config.ts).
     */
    childModules: string[]
    /**
     * For each of `childModules`, the JavaScript file a child runs on plain Node; null when the
     * children run the TypeScript sources through tsx (a package's build is older than its
     * sources, or CAIRN_TEST_CHILDREN=source). See vitest.children-setup.ts.
     */
    builtChildren: Record<string, string> | null
  }
}

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href

/**
 * The node arguments that run the TypeScript module `file` in a child process of a test: the
 * sources through tsx with the `@cairn/source` condition, or, when every package is freshly built
 * (as in CI), the same code as JavaScript on plain Node — the fixture and the sources it imports
 * relatively bundled, the packages it imports by name from their `dist/`. Add `file` to the
 * `childModules` of the project's vitest.config.ts. Outside vitest (a bench driving the tests'
 * fixtures), always the sources.
 */
export function childNodeArgs(file: string): string[] {
  const built = builtChild(file)
  return built === null ? ['--conditions=@cairn/source', '--import', TSX_LOADER, file] : [built]
}

/** The JavaScript file the child module `file` runs as, or null when children run the sources. */
function builtChild(file: string): string | null {
  if (!process.env['VITEST']) return null
  if (!inject('childModules').includes(file))
    throw new Error(`${file} is not among the childModules of this project (vitest.config.ts): add it there`)
  return inject('builtChildren')?.[file] ?? null
}

/**
 * The module a child process imports for the TypeScript module `file` — a fixture that one of
 * testkit's children loads (a store fixture's `child.module`, `optimizerModule`): its bundle on
 * plain Node when the children run built (see `childNodeArgs`; testkit's children then run its
 * `dist/` too, see vitest.children-env.ts), else `file` itself. Add `file` to the
 * `childModules` of the project's vitest.config.ts.
 */
export function childModulePath(file: string): string {
  return builtChild(file) ?? file
}

/** True when children run the built packages (see `childNodeArgs`), false when they run the sources. */
export function childrenRunBuilt(): boolean {
  return Boolean(process.env['VITEST']) && inject('builtChildren') !== null
}
