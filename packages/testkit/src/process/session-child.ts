/**
 * Child process of `describeOptimizer`'s real-process test: opens the durable store through
 * the fixture's child module, builds the optimizer from the optimizer module, and starts or
 * resumes a session, reporting every commit as a JSON line until it is SIGKILLed or done.
 */
import { pathToFileURL } from 'node:url'
import { resumeSession, startSession } from '@cairn/core'
import type { SearchSpace } from '@cairn/core'
import { killableStore } from '../helpers/killable-store.js'
import { defaultObjective } from '../optimizer/defaults.js'
import { delayed } from '../optimizer/evaluation.js'
import type { OptimizerModule } from '../optimizer/options.js'
import { openChildStore, runChild, say } from './child-io.js'
import type { SessionChildConfig } from './protocol.js'

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as SessionChildConfig
  process.stdin.on('end', () => process.exit(3))
  process.stdin.resume()
  const optMod = (await import(pathToFileURL(config.optimizerModule).href)) as OptimizerModule
  const inner = await openChildStore(config.storeModule, config.storeArgs)
  // Never killed: only used to report each commit once it landed.
  const reporting = killableStore(inner, {
    onCommit: ({ request, result }) => say({ committed: request.head.progress.attempts, revision: result.revision }),
  })
  const setup = delayed(
    optMod.program
      ? {
          program: optMod.program,
          ...(optMod.trainset ? { trainset: optMod.trainset } : {}),
          ...(optMod.valset ? { valset: optMod.valset } : {}),
          ...(optMod.metric ? { metric: optMod.metric } : {}),
        }
      : { objective: optMod.objective ?? defaultObjective },
    config.delayMs,
  )
  const drive = { optimizer: optMod.createOptimizer(config.optimizerArgs), ...setup, maxTrials: config.maxTrials, owner: config.owner }
  const space = optMod.space ?? (config.space as SearchSpace | undefined)
  const handle =
    config.mode === 'start'
      ? await startSession({
          ...drive,
          store: reporting.store,
          sessionId: config.sessionId,
          seed: config.seed,
          ...(space !== undefined ? { space } : {}),
          ...(optMod.direction !== undefined ? { direction: optMod.direction } : {}),
        })
      : await resumeSession(reporting.store, config.sessionId, { ...drive, ...(space !== undefined ? { space } : {}) })
  say({ started: true })
  const result = await handle.wait()
  say({ done: true, status: result.status })
  await inner.close()
}

runChild(main)
