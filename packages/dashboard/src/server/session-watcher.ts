import { isCairnError, type CheckpointStore, type TrialRecord } from '@cairn/core'
import type { SessionStreamEvent } from '../api/types.js'
import { liveWorkers, sessionView } from './session-view.js'

/** One open event stream of a session. */
export interface Subscriber {
  /** How many trials the subscriber has (indices 0 … cursor − 1): the next one it gets is `cursor`. */
  cursor: number
  /** Sends one event; `id` is the trial count after it (the stream's `Last-Event-ID` on reconnect). */
  send(event: SessionStreamEvent, id: string): void
  /** Ends the stream (the session was deleted, or the server closes). */
  close(): void
}

interface Entry {
  sub: Subscriber
  /** Not served yet: gets an event at the next read whether or not the head moved. */
  fresh: boolean
}

/**
 * Watches one session for its subscribers: reads the head every `pollMs` while anyone listens
 * and, when the revision moved (or the workers of a shared session changed), sends each
 * subscriber the trials it does not have yet — read once for all of them with
 * `readTrials({ from, limit })`, never the whole history — or the new head alone. Stops
 * reading when the last subscriber leaves; a deleted session ends every stream.
 */
export class SessionWatcher {
  private readonly entries = new Set<Entry>()
  private timer: NodeJS.Timeout | null = null
  private reading = false
  private again = false
  private closed = false
  private lastRevision = -1
  private lastWorkers = '[]'

  constructor(
    private readonly store: CheckpointStore,
    readonly sessionId: string,
    private readonly pollMs: number,
    private readonly now: () => number,
    /** Called once the watcher has no subscriber left (or closed). */
    private readonly onIdle: (watcher: SessionWatcher) => void,
  ) {}

  get subscriberCount(): number {
    return this.entries.size
  }

  /** Adds a subscriber; it gets its first event at once (its missing trials, else the head). Returns its removal. */
  add(sub: Subscriber): () => void {
    const entry: Entry = { sub, fresh: true }
    this.entries.add(entry)
    this.wake()
    return () => this.remove(entry)
  }

  /** Ends every stream and stops reading. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.stopTimer()
    const entries = [...this.entries]
    this.entries.clear()
    for (const e of entries) e.sub.close()
    this.onIdle(this)
  }

  private remove(entry: Entry): void {
    if (!this.entries.delete(entry)) return
    if (this.entries.size === 0) {
      this.closed = true
      this.stopTimer()
      this.onIdle(this)
    }
  }

  /** Reads now (or right after the read in progress). */
  private wake(): void {
    if (this.closed) return
    if (this.reading) {
      this.again = true
      return
    }
    this.stopTimer()
    this.timer = setTimeout(() => void this.read(), 0)
  }

  private schedule(): void {
    if (this.closed || this.entries.size === 0) return
    if (this.again) {
      this.again = false
      this.timer = setTimeout(() => void this.read(), 0)
      return
    }
    this.timer = setTimeout(() => void this.read(), this.pollMs)
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private async read(): Promise<void> {
    this.timer = null
    if (this.closed) return
    this.reading = true
    try {
      await this.serve()
    } catch (err) {
      if (isCairnError(err, 'NOT_FOUND')) {
        for (const e of this.entries) e.sub.send({ type: 'deleted', sessionId: this.sessionId }, '0')
        this.close()
        return
      }
      // A transient store error (a file being replaced, a throttled request): the next read retries.
    } finally {
      this.reading = false
    }
    this.schedule()
  }

  private async serve(): Promise<void> {
    const entries = [...this.entries]
    const head = await this.store.load(this.sessionId)
    const workers = await liveWorkers(this.store, head, this.now()).catch(() => [])
    const workersKey = JSON.stringify(workers)
    const moved = head.revision !== this.lastRevision || workersKey !== this.lastWorkers
    this.lastRevision = head.revision
    this.lastWorkers = workersKey
    const attempts = head.progress.attempts
    const behind = entries.filter((e) => e.sub.cursor < attempts)
    const from = Math.min(...behind.map((e) => e.sub.cursor))
    const trials: TrialRecord[] = behind.length > 0 ? await this.store.readTrials(this.sessionId, { from, limit: attempts - from }) : []
    const session = sessionView(head, workers)
    const id = String(attempts)
    for (const e of entries) {
      if (!this.entries.has(e)) continue
      const cursor = e.sub.cursor
      const mine = cursor < attempts ? trials.slice(cursor - from) : []
      if (mine.length > 0) e.sub.send({ type: 'trials', trials: mine, session }, id)
      else if (moved || e.fresh) e.sub.send({ type: 'session', session }, id)
      e.sub.cursor = attempts
      e.fresh = false
    }
  }
}
