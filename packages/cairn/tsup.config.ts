import { defineConfig } from 'tsup'

export default defineConfig({
  // The library, and the CLI behind the `cairn` bin (its shebang is kept and the file made executable).
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  // Declarations come from `tsc --build`; tsup must not wipe them.
  dts: false,
  clean: false,
})
