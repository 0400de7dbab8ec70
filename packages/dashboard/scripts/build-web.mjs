// Builds the web app into dist/web/: index.html, app.js (the app, minified, the importance
// worker inlined as a string), echarts.js (the charting library, which app.js loads) and
// app.css. `renderReport` inlines them into one self-contained HTML file, so none may contain a
// sequence that would end its element early.
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

// ECharts, a script of its own: the page loads it beside app.js, and Chromium compiles all of it
// (the magic comment) on a background thread while the page parses its data (src/web/charts/echarts.ts).
const charts = await build({
  ...common,
  entryPoints: [join(web, 'charts', 'echarts-entry.ts')],
  banner: { js: '//# allFunctionsCalledOnLoad' },
})
const chartsSource = charts.outputFiles[0].text

const app = await build({
  ...common,
  entryPoints: { app: join(web, 'main.ts'), styles: join(web, 'styles.css') },
  outdir: out,
  define: { ...common.define, IMPORTANCE_WORKER_SOURCE: JSON.stringify(workerSource) },
  metafile: true,
})

await mkdir(out, { recursive: true })
const files = [
  ...app.outputFiles.map((f) => ({ name: f.path.endsWith('.css') ? 'app.css' : 'app.js', text: f.text })),
  { name: 'echarts.js', text: chartsSource },
]
for (const { name, text } of files) {
  const closing = name.endsWith('.js') ? /<\/script|<!--/i : /<\/style/i
  if (closing.test(text)) throw new Error(`build-web: ${name} contains ${closing.exec(text)?.[0]}, which would end its element in a report`)
  await writeFile(join(out, name), text)
}
await copyFile(join(web, 'index.html'), join(out, 'index.html'))
const sizes = app.outputFiles.map(
  (f) => `${f.path.endsWith('.css') ? 'app.css' : 'app.js'} ${(f.contents.byteLength / 1024).toFixed(1)} KiB`,
)
sizes.push(`echarts.js ${(Buffer.byteLength(chartsSource) / 1024).toFixed(1)} KiB`)
console.log(`dist/web: ${sizes.join(', ')} (importance worker ${(workerSource.length / 1024).toFixed(1)} KiB inside app.js)`)
