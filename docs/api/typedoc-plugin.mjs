// A local TypeDoc plugin for `pnpm docs:api`:
// - names each entry point after its package (`@cairn/core`), not its path (`core/src`);
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
      const dir = /^([^/]+)\/src$/.exec(mod.name)?.[1]
      if (!dir) continue
      try {
        mod.name = JSON.parse(readFileSync(`${packages}${dir}/package.json`, 'utf8')).name
      } catch {
        // keep the path-derived name
      }
    }
  })
  app.renderer.on(MarkdownPageEvent.END, (page) => {
    if (page.contents) page.contents = page.contents.replace(/^(\s*)```ts\s*$/gm, '$1```typescript')
  })
}
