// A local TypeDoc plugin for `pnpm docs:api`:
// - names each entry point after its package (`@cairn/core`, `@cairn/core/store-kit`), not its
//   path (`core/src`, `core/src/store-kit`);
// - emits TSDoc examples as ```typescript fences, so docs/test/docs.test.ts (which runs every
//   ```ts block under docs/) leaves the generated reference alone.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Converter } from 'typedoc'
import { MarkdownPageEvent } from 'typedoc-plugin-markdown'

const packages = fileURLToPath(new URL('../../packages/', import.meta.url))

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.children ?? []) {
      // `core/src` is the package's main entry; `core/src/store-kit` its `/store-kit` subpath.
      const [, dir, subpath] = /^([^/]+)\/src(?:\/([^/]+))?$/.exec(mod.name) ?? []
      if (!dir) continue
      try {
        const name = JSON.parse(readFileSync(`${packages}${dir}/package.json`, 'utf8')).name
        mod.name = subpath ? `${name}/${subpath}` : name
      } catch {
        // keep the path-derived name
      }
    }
  })
  app.renderer.on(MarkdownPageEvent.END, (page) => {
    if (page.contents) page.contents = page.contents.replace(/^(\s*)```ts\s*$/gm, '$1```typescript')
  })
}
