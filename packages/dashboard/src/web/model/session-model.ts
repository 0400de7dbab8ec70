import type { TrialRecord } from '@cairn/core'
import type { SessionStreamEvent, SessionView } from '../../api/types.js'
import type { LoadedSession } from '../data/source.js'
import { paramsOf, type ParamInfo } from './params.js'
import type { PackedCurve } from '../../api/types.js'
import { type Curve, packedLastStep, unpackCurve } from './unpack-curves.js'
import { better, isScored } from './trials.js'

/** What changed in a model update. */
export interface ModelChange {
  /** Trials appended (from index `from` of `trials`), or 0 when none. */
  appended: number
  session: boolean
  deleted: boolean
}

/**
 * The session page's data: the head, every trial in index order, the best score after each
 * trial, and the dimensions. Views read it and re-render when it changes (live pages append
 * trials from the event stream; a report never changes).
 */
export class SessionModel {
  session: SessionView
  readonly trials: TrialRecord[] = []
  /** Best score after each trial of `trials` (null until the first scored one). */
  readonly bestSoFar: Array<number | null> = []
  params: ParamInfo[]
  readonly live: boolean
  readAt: number
  deleted = false
  private readonly known = new Set<number>()
  private readonly listeners = new Set<(change: ModelChange) => void>()
  /** Values derived from the trials, shared by the views until the next change (see `memo`). */
  private readonly memos = new Map<string, unknown>()
  /** The loaded data's packed learning curves (or what parses them), until a view first reads one (`curveOf`). */
  private packedCurves: NonNullable<LoadedSession['curves']> | null
  /** The packed curves not unpacked yet, by trial index (built when a view first reads a curve). */
  private packedByIdx: Map<number, PackedCurve> | null = null

  constructor(data: LoadedSession) {
    this.session = data.session
    this.live = data.live
    this.readAt = data.readAt
    this.params = []
    // Unpacked when first needed, not before the first paint: 10,000 curves of 30 steps are 300,000 objects.
    this.packedCurves = typeof data.curves === 'function' || (data.curves?.length ?? 0) > 0 ? (data.curves ?? null) : null
    this.append(data.trials)
    this.params = paramsOf(this.session.space, this.trials)
  }

  /** True when some trial reported intermediate values (packed ones included, without reading them). */
  hasCurves(): boolean {
    return this.packedCurves !== null || this.memo('hasCurves', () => this.trials.some((t) => (t.intermediate?.length ?? 0) > 0))
  }

  /** The packed curves by trial index (parsed on the first call). */
  private packed(): Map<number, PackedCurve> {
    if (this.packedByIdx === null) {
      const source = this.packedCurves
      const curves = source === null ? [] : typeof source === 'function' ? source() : source
      this.packedByIdx = new Map(curves.map((c) => [c[0], c]))
    }
    return this.packedByIdx
  }

  /** True when trial `t` reported intermediate values (packed or not). */
  hasCurve(t: TrialRecord): boolean {
    return (t.intermediate?.length ?? 0) > 0 || (this.packedCurves !== null && this.packed().has(t.trialIdx))
  }

  /**
   * Trial `t`'s learning curve (its `intermediate`), unpacked from the loaded data into the
   * record the first time it is read; undefined when it has none. Only the curves a view reads
   * become objects: the curves chart draws at most a few hundred of 10,000.
   */
  curveOf(t: TrialRecord): Curve | undefined {
    if (t.intermediate !== undefined || this.packedCurves === null) return t.intermediate
    const packed = this.packed().get(t.trialIdx)
    if (packed === undefined) return undefined
    this.packedByIdx?.delete(t.trialIdx)
    t.intermediate = unpackCurve(packed)
    return t.intermediate
  }

  /** The last step trial `t` reported, or null when it reported none (a packed curve stays packed). */
  lastStepOf(t: TrialRecord): number | null {
    const curve = t.intermediate
    if (curve !== undefined) return curve.length > 0 ? (curve[curve.length - 1] as { step: number }).step : null
    const packed = this.packedCurves === null ? undefined : this.packed().get(t.trialIdx)
    return packed === undefined ? null : packedLastStep(packed)
  }

  /** Unpacks every curve into its record (the JSON export writes the records as they are). */
  unpackCurves(): void {
    if (this.packedCurves === null) return
    for (const t of this.trials) this.curveOf(t)
  }

  /** The index of the next trial expected from the stream (one past the highest known). */
  get nextTrialIdx(): number {
    const last = this.trials[this.trials.length - 1]
    return last === undefined ? 0 : last.trialIdx + 1
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: (change: ModelChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Applies one event of the stream. */
  apply(event: SessionStreamEvent): void {
    if (event.type === 'deleted') {
      this.deleted = true
      this.emit({ appended: 0, session: false, deleted: true })
      return
    }
    this.session = event.session
    const appended = event.type === 'trials' ? this.append(event.trials) : 0
    this.emit({ appended, session: true, deleted: false })
  }

  /** Adds trials not seen yet (a reconnect may send some twice), in index order; returns how many were new. */
  addTrials(trials: readonly TrialRecord[]): number {
    const n = this.append(trials)
    if (n > 0) this.emit({ appended: n, session: false, deleted: false })
    return n
  }

  private append(incoming: readonly TrialRecord[]): number {
    const fresh = incoming.filter((t) => !this.known.has(t.trialIdx)).sort((a, b) => a.trialIdx - b.trialIdx)
    if (fresh.length === 0) return 0
    this.memos.clear()
    const outOfOrder = (fresh[0] as TrialRecord).trialIdx < this.nextTrialIdx
    for (const t of fresh) {
      this.known.add(t.trialIdx)
      this.trials.push(t)
    }
    if (outOfOrder) this.trials.sort((a, b) => a.trialIdx - b.trialIdx)
    this.recomputeBest(outOfOrder ? 0 : this.trials.length - fresh.length)
    if (this.session.space === undefined) this.params = paramsOf(undefined, this.trials)
    return fresh.length
  }

  private recomputeBest(from: number): void {
    this.bestSoFar.length = from
    let best = from > 0 ? (this.bestSoFar[from - 1] ?? null) : null
    for (let i = from; i < this.trials.length; i++) {
      const t = this.trials[i] as TrialRecord
      if (isScored(t) && (best === null || better(this.session.direction, t.score, best))) best = t.score
      this.bestSoFar.push(best)
    }
  }

  /** The best trial (by the session's direction), or null before the first scored one. */
  bestTrial(): (TrialRecord & { score: number }) | null {
    return this.memo('bestTrial', () => {
      let best: (TrialRecord & { score: number }) | null = null
      for (const t of this.trials) if (isScored(t) && (best === null || better(this.session.direction, t.score, best.score))) best = t
      return best
    })
  }

  /**
   * `compute()`, computed once until the model next changes: what several views derive from the
   * same trials (the scored ones, a parameter's column, the score axis) is derived once.
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T
    const value = compute()
    this.memos.set(key, value)
    return value
  }

  private emit(change: ModelChange): void {
    this.memos.clear()
    for (const l of this.listeners) l(change)
  }
}
