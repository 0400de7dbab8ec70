// Prints the one closing line CI reads, from vitest's JSON report.
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
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report)
console.log(`${report.numPassedTests} passed, ${Math.max(failed, report.numFailedTests)} failed`)

function countSuitesWithFailedTests(r) {
  return (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).some((a) => a.status === 'failed')).length
}
