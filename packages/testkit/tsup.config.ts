import { defineConfig } from 'tsup'

export default defineConfig({
  // The child processes and the reference optimizer module are separate entry points: the
  // suites spawn them by path (dist/process/*.js, dist/reference/optimizer-module.js).
  entry: {
    index: 'src/index.ts',
    'process/store-child': 'src/process/store-child.ts',
    'process/session-child': 'src/process/session-child.ts',
    'reference/optimizer-module': 'src/reference/optimizer-module.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  splitting: false,
  // Declarations come from `tsc --build`; tsup must not wipe them.
  dts: false,
  clean: false,
})
