import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/store-kit.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  // Declarations come from `tsc --build`; tsup must not wipe them.
  dts: false,
  clean: false,
})
