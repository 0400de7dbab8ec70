#!/usr/bin/env node
// The `cairn` command: runs the built CLI, dist/cli/main.js (made by `pnpm build`). This shim
// exists so installing a workspace that depends on `cairn` links the bin before it is built.
try {
  await import('../dist/cli/main.js')
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err
  console.error('error: [cairn] the CLI is not built yet: run `pnpm build` (in the Cairn repository, `pnpm cairn …` runs it from source)')
  process.exit(3)
}
