/**
 * The quick start: tunes a random forest on the Palmer penguins with 5-fold cross-validation,
 * committing every trial to the embedded LevelDB store in ./.cairn. Press Ctrl-C: the trial in
 * flight finishes, the session pauses; run it again and it resumes where it stopped.
 */
import { resolve } from 'node:path'
import { createLevelStore } from '@cairn/store-level'
import { MAX_TRIALS, openTuning, SESSION_ID } from './tune.js'

const location = resolve(process.env.CAIRN_DIR ?? '.cairn')
const maxTrials = process.env.CAIRN_TRIALS ? Number(process.env.CAIRN_TRIALS) : MAX_TRIALS
const store = createLevelStore({ location })
const opened = await openTuning(store, {
  maxTrials,
  onWait: (until) => console.log(`session "${SESSION_ID}" is still leased by a process that stopped; retrying in ${Math.ceil((until - Date.now()) / 1000)} s`),
})

if (opened.kind === 'finished') {
  console.log(`session "${SESSION_ID}" already finished: ${opened.trials} trials, best accuracy ${opened.bestScore?.toFixed(4)}`)
  console.log(`delete ${location} to start over`)
  await store.close()
  process.exit(0)
}

const handle = opened.handle
const before = handle.poll().progress.attempts
console.log(`${opened.kind === 'started' ? 'started' : `resumed at trial ${before}`}: session "${SESSION_ID}" in ${location}`)
console.log('press Ctrl-C to pause; run the same command again to resume')

let interrupted = false
process.on('SIGINT', () => {
  if (interrupted) process.exit(130)
  interrupted = true
  console.log('\npausing after the trial in flight (Ctrl-C again to quit at once)…')
  void handle.pause()
})

void (async () => {
  for await (const event of handle.events()) {
    if (event.type !== 'checkpoint') continue
    const p = event.progress
    const last = handle.head()
    const bar = '#'.repeat(Math.round((p.attempts / maxTrials) * 20)).padEnd(20, '.')
    console.log(`[${bar}] trial ${String(p.attempts).padStart(2)}/${maxTrials}  best accuracy ${p.bestScore?.toFixed(4) ?? '-'}  errors ${p.errors}  (revision ${last.revision})`)
  }
})()

const result = await handle.wait()
if (result.status === 'paused') {
  console.log(`paused after ${result.progress.attempts} trials; run the same command again to resume`)
} else {
  console.log(`${result.status} after ${result.progress.attempts} trials: best accuracy ${result.bestScore?.toFixed(4)}`)
  console.log('best hyperparameters:', JSON.stringify(result.bestArtifact))
}
await store.close()
