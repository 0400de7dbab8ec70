// Three workers and a recovery monitor on one DynamoDB table; one worker is SIGKILLed.
//
// usage: node --conditions=@cairn/source --import tsx src/main.ts
import { runDemo } from './demo.js'

const started = Date.now()
const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`
const report = await runDemo({ log: (line) => console.log(`${stamp()}  ${line}`) })

console.log(
  `\nrecovery: detected ${report.recovery.detectedMs} ms, resumed ${report.recovery.startedMs} ms, finished ${report.recovery.completedMs} ms after the SIGKILL\n`,
)
const ranges = (idxs: number[]) => {
  const sorted = [...idxs].sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`)
    i = j
  }
  return out.join(', ')
}
let ok = true
for (const s of report.sessions) {
  const once = s.trialIdxs.length === s.attempts && s.trialIdxs.every((idx, i) => idx === i)
  ok &&= once && s.status === 'completed' && s.matchesUninterrupted
  console.log(`${s.sessionId} (${s.worker}${s.killed ? ', SIGKILLed' : ''}): ${s.status}, ${s.attempts} trials`)
  for (const [by, idxs] of Object.entries(s.committedBy))
    console.log(`    ${by.padEnd(9)} committed trials ${ranges(idxs)} under fencing token ${s.fencingTokens[by]?.join(', ')}`)
  console.log(
    `    every trial index exactly once: ${once ? 'yes' : 'NO'}; same trials as an uninterrupted run: ${s.matchesUninterrupted ? 'yes' : 'NO'}`,
  )
}
console.log(`\nmonitor events: ${report.monitorEvents.map((e) => `${e.type}${e.sessionId ? `(${e.sessionId})` : ''}`).join(' → ')}`)
process.exitCode = ok ? 0 : 1
