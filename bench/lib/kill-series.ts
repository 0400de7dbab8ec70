/**
 * SIGKILLs workers in the middle of their trials, one at a time, while a run goes on: each
 * victim is the first worker whose trial has been running `midTrialMs`; a ready spare is told
 * to go at once (so the number of workers stays the same), and the time until the victim's
 * trial starts again in another worker is measured when `rerun` says how to recognise it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { PooledWorker, TrialStart, WorkerPool } from './worker-pool.js'

/** Options of `killSeries`. */
export interface KillSeriesOptions {
  pool: WorkerPool
  /** Workers evaluating now (victims are taken from them). */
  active: PooledWorker[]
  /** Ready workers, told `goLine` one per kill. */
  spares: PooledWorker[]
  goLine: string
  kills: number
  /** Kill when a trial has run this long (and not yet 1.5 times as long). */
  midTrialMs: number
  /** Trials below this index are left alone (the run's start-up). */
  fromTrial: number
  /** Whether `s` re-runs the killed trial `trial`; absent: nothing re-runs it, wait `gapMs`. */
  rerun?: (s: TrialStart, trial: number) => boolean
  /** How long to wait for the re-run before recording it as never (default 15 s). */
  rerunTimeoutMs?: number
  /** Pause after a kill when there is no re-run to wait for, and after each re-run (default 400 ms). */
  gapMs?: number
  /** True once the run is over: no more kills. */
  over(): boolean
}

/** One kill. */
export interface Kill {
  trial: number
  /** Ms from the SIGKILL to the trial's start in another worker; null: it did not start again (within the timeout). */
  rerunMs: number | null
}

/**
 * Runs the kills; resolves with them and with the `done` answers of the spares it started (a
 * spare's answer, or null when it was killed in turn).
 */
export async function killSeries(o: KillSeriesOptions): Promise<{ kills: Kill[]; spareDones: Promise<string | null>[] }> {
  const midTrialMs = o.midTrialMs
  const gapMs = o.gapMs ?? 400
  const kills: Kill[] = []
  const active = [...o.active]
  const spareDones: Promise<string | null>[] = []
  while (kills.length < o.kills && !o.over()) {
    const now = Date.now()
    const victim = active.find(
      (w) =>
        !w.killed &&
        w.current &&
        w.current.trial >= o.fromTrial &&
        now - w.current.at >= midTrialMs &&
        now - w.current.at < midTrialMs * 1.5,
    )
    if (!victim) {
      await sleep(5)
      continue
    }
    const trial = victim.current!.trial
    const again = o.rerun ? o.pool.nextStart((s) => s.worker !== victim && o.rerun!(s, trial), o.rerunTimeoutMs ?? 15_000) : undefined
    victim.kill()
    const killedAt = Date.now()
    active.splice(active.indexOf(victim), 1)
    const spare = o.spares.shift()
    if (spare) {
      spareDones.push(spare.next('done', 600_000).catch(() => null))
      spare.send(o.goLine)
      active.push(spare)
    }
    if (again) {
      const s = await again
      kills.push({ trial, rerunMs: s ? s.at - killedAt : null })
    } else kills.push({ trial, rerunMs: null })
    await sleep(gapMs)
  }
  return { kills, spareDones }
}
