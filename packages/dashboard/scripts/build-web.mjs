// Builds the web app into dist/web/: index.html, app.js (one minified script, the importance
// worker inlined as a string) and app.css. `renderReport` inlines app.js and app.css into one
// self-contained HTML file, so neither may contain a sequence that would end its element early.
// CAIRN_WEB_UNMINIFIED=1 leaves the code readable (for profiling the page).
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const web = join(root, 'src', 'web')
const out = join(root, 'dist', 'web')
const common = {
  bundle: true,
  minify: process.env.CAIRN_WEB_UNMINIFIED !== '1',
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
}

// random-js (under ml-random-forest) can draw from Node's crypto; the forest uses its seeded engine only.
const worker = await build({ ...common, entryPoints: [join(web, 'importance', 'worker.ts')], external: ['crypto'] })
const workerSource = worker.outputFiles[0].text

const app = await build({
  ...common,
  entryPoints: { app: join(web, 'main.ts'), styles: join(web, 'styles.css') },
  outdir: out,
  define: { ...common.define, IMPORTANCE_WORKER_SOURCE: JSON.stringify(workerSource) },
  metafile: true,
})

await mkdir(out, { recursive: true })
for (const file of app.outputFiles) {
  const name = file.path.endsWith('.css') ? 'app.css' : 'app.js'
  const text = file.text
  const closing = name === 'app.js' ? /<\/script|<!--/i : /<\/style/i
  if (closing.test(text)) throw new Error(`build-web: ${name} contains ${closing.exec(text)?.[0]}, which would end its element in a report`)
  await writeFile(join(out, name), text)
}
await copyFile(join(web, 'index.html'), join(out, 'index.html'))
const sizes = app.outputFiles.map(
  (f) => `${f.path.endsWith('.css') ? 'app.css' : 'app.js'} ${(f.contents.byteLength / 1024).toFixed(1)} KiB`,
)
console.log(`dist/web: ${sizes.join(', ')} (importance worker ${(workerSource.length / 1024).toFixed(1)} KiB inside app.js)`)
