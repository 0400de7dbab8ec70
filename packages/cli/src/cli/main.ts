#!/usr/bin/env node
/**
 * The `cairn` command. Runs from `dist/cli/main.js` (the package's bin), or from source in this
 * repository: `node --conditions=@cairn/source --import tsx packages/cli/src/cli/main.ts`.
 */
import { runCli } from './program.js'

const code = await runCli(process.argv.slice(2))
// Stores, clients and timers may still hold the event loop; the work is done and committed.
process.exit(code)
