// Makes sure the system programs the tests use are present before `vitest run`:
// Java 17+ for DynamoDB Local (@cairn/store-dynamodb, @cairn/recovery, examples/distributed)
// and Debian's Chromium for the HTML report test (@cairn/cli). Installs them from Debian's
// packages when running as root with apt-get; otherwise says how, and fails.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const missing = []
if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) missing.push('openjdk-17-jre-headless')
if (!existsSync('/usr/bin/chromium')) missing.push('chromium')
if (missing.length === 0) process.exit(0)

const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
if (!canInstall) {
  console.error(`the tests need: ${missing.join(', ')} — install with: sudo apt-get install -y ${missing.join(' ')}`)
  process.exit(1)
}
console.log(`installing ${missing.join(', ')} from Debian's packages (needed by the tests)…`)
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env })
