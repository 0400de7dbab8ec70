import type { CheckpointStore } from '@cairn/core'
import type { StoreFactory } from '../fixture.js'
import { closeQuietly } from '../fixture.js'
import { vitestRunner, type Runner } from '../runner.js'
import { registerBasics } from './basics.js'
import { hookDeclarations, storeSuite } from './context.js'
import { registerControl } from './control.js'
import { registerCorruption } from './corruption.js'
import { registerHistory } from './history.js'
import { registerInputs } from './inputs.js'
import { registerLeases } from './leases.js'
import { registerListing } from './listing.js'
import { registerProcesses } from './processes.js'
import { registerTrialDamage } from './trial-damage.js'
import { registerTrialProgress } from './trial-progress.js'
import { registerSalvage } from './salvage.js'
import { registerTrialSlotProcesses } from './trial-slot-processes.js'
import { registerTrialSlots } from './trial-slots.js'
import { registerReportAndClaim } from './report-and-claim.js'

/**
 * Registers the `CheckpointStore` conformance suite: create/load, commits and the trial log,
 * compare-and-set, leases and fencing, control requests, listing and paging, malformed input
 * (the checks of `@cairn/core/store-kit`), corruption, salvaging a damaged head (when the store
 * has `salvage` and `replaceDamagedHead`), O(1) history, (when the store is `durable` and `multiProcess`) real processes killed
 * mid-commit and racing each other, and (when it declares `sharedEvaluation`) trial slots:
 * claims, their lapse and takeover, renewal, reports refused to lost claims, and claims racing
 * in one process and, for `multiProcess` stores, in several; and (when it declares
 * `trialProgress`) trial progress: save and load, fencing by token, delete, the size limit,
 * damage, and a writer SIGKILLed mid-save (`durable` + `multiProcess`). Tests a capability excludes are
 * registered as skipped, named `[needs <capability>] …`.
 *
 * `factory` is called once per test for a fresh, empty store (and once up front to read
 * `store.capabilities`).
 *
 * The fixture must declare `corruptTrial` and `dropTrial` (a function, or `null` when the store
 * cannot lose or damage one trial record on its own), and `corruptTrialProgress` when it declares
 * `trialProgress`; `child` is needed when the store is `multiProcess`.
 *
 * @example
 * ```ts
 * import { describeCheckpointStore, removeDir, tempDir } from '@cairn/testkit'
 * import { createMyStore } from '../src/index.js'
 *
 * describeCheckpointStore('my-store', async () => {
 *   const dir = await tempDir('my-store-')
 *   const store = createMyStore({ dir })
 *   return {
 *     store,
 *     corruptHead: (sessionId) => writeFile(headPath(dir, sessionId), 'this is not a head'),
 *     corruptTrial: (sessionId, trialIdx) => writeFile(trialPath(dir, sessionId, trialIdx), 'garbage'),
 *     dropTrial: null, // trials live inside checksummed records: one cannot go missing alone
 *     // a module exporting `openStore(args)` that opens the same store in a child process
 *     child: { module: fileURLToPath(new URL('./open-store.ts', import.meta.url)), args: [dir] },
 *     cleanup: () => removeDir(dir),
 *   }
 * })
 * ```
 */
export function describeCheckpointStore(name: string, factory: StoreFactory<CheckpointStore>, runner: Runner = vitestRunner): void {
  runner.describe(`CheckpointStore conformance: ${name}`, async () => {
    const probe = await factory()
    const capabilities = { ...probe.store.capabilities }
    const hooks = hookDeclarations(probe)
    const canSalvage = typeof probe.store.salvage === 'function' && typeof probe.store.replaceDamagedHead === 'function'
    await closeQuietly(probe.store)
    await probe.cleanup?.()

    const s = storeSuite(runner, factory, capabilities, hooks)
    registerBasics(s)
    registerLeases(s)
    registerControl(s)
    registerListing(s)
    registerInputs(s)
    registerCorruption(s)
    registerTrialDamage(s)
    registerSalvage(s, canSalvage)
    registerHistory(s)
    registerProcesses(s)
    const shared = registerTrialSlots(s)
    registerTrialSlotProcesses(s, shared)
    registerReportAndClaim(s, shared)
    registerTrialProgress(s)
  })
}
