// Prints the one closing line CI reads ("N passed, N failed"), from vitest's JSON report.
// A test file that failed to load (no test ran in it) counts as one failure.
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.ci/out/vitest.json'
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch (err) {
  console.log(`no vitest JSON report at ${file}: ${err.message}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const brokenFiles = (report.testResults ?? []).filter(
  (s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed'),
).length
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed, ${skipped} skipped`)
