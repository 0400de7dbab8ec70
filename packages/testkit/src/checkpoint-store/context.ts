import type { CheckpointHead, CheckpointStore, Lease, StoreCapabilities, TrialRecord } from '@cairn/core'
import type { FixtureHook, StoreFactory, StoreFixture } from '../fixture.js'
import { withFixture } from '../fixture.js'
import { makeHead, makeTrial, nextHead } from '../helpers/head.js'
import { testIf, type Needs, type Runner } from '../runner.js'

/** What every group of the checkpoint-store suite receives. */
export interface StoreSuite {
  runner: Runner
  capabilities: StoreCapabilities
  /** Registers a test that gets a fresh fixture. */
  it(name: string, fn: (fixture: StoreFixture<CheckpointStore>) => Promise<void>, timeoutMs?: number): void
  /** Registers a test only when `needs` holds; otherwise a skipped test named `[needs <what>] name`. */
  itIf(needs: Needs, name: string, fn: (fixture: StoreFixture<CheckpointStore>) => Promise<void>, timeoutMs?: number): void
  /**
   * Registers a test that uses the fixture's fault hook `hook`. A hook declared `null` makes it
   * a skipped test named `[needs <hook>] name`; a hook the fixture does not declare at all
   * makes it a failing test saying so.
   */
  itWithHook(hook: FixtureHook, name: string, fn: (fixture: StoreFixture<CheckpointStore>) => Promise<void>, timeoutMs?: number): void
}

/** How a fixture declares a fault hook: given, declared missing (`null`), or not declared. */
export type HookDeclaration = 'given' | 'missing' | 'undeclared'

/** The declaration of each fault hook, read from one fixture. */
export function hookDeclarations(fixture: StoreFixture<unknown>): Record<FixtureHook, HookDeclaration> {
  const of = (hook: FixtureHook): HookDeclaration => {
    const value: unknown = fixture[hook]
    return typeof value === 'function' ? 'given' : value === null ? 'missing' : 'undeclared'
  }
  return { corruptTrial: of('corruptTrial'), dropTrial: of('dropTrial'), corruptTrialProgress: of('corruptTrialProgress') }
}

export function storeSuite(
  runner: Runner,
  factory: StoreFactory<CheckpointStore>,
  capabilities: StoreCapabilities,
  hooks: Record<FixtureHook, HookDeclaration>,
): StoreSuite {
  const it: StoreSuite['it'] = (name, fn, timeoutMs) => runner.test(name, () => withFixture(factory, fn), timeoutMs)
  const itIf: StoreSuite['itIf'] = (needs, name, fn, timeoutMs) => testIf(runner, needs, name, () => withFixture(factory, fn), timeoutMs)
  return {
    runner,
    capabilities,
    it,
    itIf,
    itWithHook(hook, name, fn, timeoutMs) {
      if (hooks[hook] !== 'undeclared') return itIf({ ok: hooks[hook] === 'given', what: hook }, name, fn, timeoutMs)
      runner.test(name, () => {
        throw new Error(
          `[@cairn/testkit] the store fixture does not declare ${hook}: give it (see StoreFixture), or set it to null ` +
            'when the store cannot do it, so the tests that need it are reported as skipped',
        )
      })
    },
  }
}

/** Creates a session from `makeHead(overrides)` and returns the created head. */
export async function createSession(store: CheckpointStore, overrides: Partial<CheckpointHead> = {}): Promise<CheckpointHead> {
  const head = makeHead(overrides)
  await store.create(head)
  return head
}

/**
 * Loads the session, appends `count` ok trials (or `trials`) in one commit under `lease`
 * (default: the loaded lease) and returns the new head as loaded back.
 */
export async function commitNext(
  store: CheckpointStore,
  sessionId: string,
  options: { count?: number; trials?: TrialRecord[]; lease?: Lease; head?: Partial<CheckpointHead> } = {},
): Promise<CheckpointHead> {
  const head = await store.load(sessionId)
  const lease = options.lease ?? head.lease
  if (!lease) throw new Error(`[@cairn/testkit] session "${sessionId}" has no lease to commit under`)
  const count = options.count ?? 1
  const trials = options.trials ?? Array.from({ length: count }, (_, i) => makeTrial(head.progress.attempts + i))
  await store.commit(sessionId, {
    expectedRevision: head.revision,
    fencingToken: lease.fencingToken,
    head: nextHead(head, trials, options.head),
    trials,
  })
  return store.load(sessionId)
}

/** The current head and the full trial log, for "nothing was written" checks. */
export async function snapshot(store: CheckpointStore, sessionId: string): Promise<{ head: CheckpointHead; trials: TrialRecord[] }> {
  return { head: await store.load(sessionId), trials: await store.readTrials(sessionId) }
}
