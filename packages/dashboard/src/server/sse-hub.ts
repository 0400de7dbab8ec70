import type { CheckpointStore } from '@cairn/core'
import { SessionWatcher, type Subscriber } from './session-watcher.js'

/**
 * The live-update side of the server: one `SessionWatcher` per session that has at least one
 * open event stream, none for the others.
 */
export class SseHub {
  private readonly watchers = new Map<string, SessionWatcher>()

  constructor(
    private readonly store: CheckpointStore,
    private readonly pollMs: number,
    private readonly now: () => number,
  ) {}

  /** Adds an event stream of `sessionId`, starting a watcher if it is the first. Returns its removal. */
  subscribe(sessionId: string, sub: Subscriber): () => void {
    let watcher = this.watchers.get(sessionId)
    if (!watcher) {
      watcher = new SessionWatcher(this.store, sessionId, this.pollMs, this.now, (w) => {
        if (this.watchers.get(w.sessionId) === w) this.watchers.delete(w.sessionId)
      })
      this.watchers.set(sessionId, watcher)
    }
    return watcher.add(sub)
  }

  /** Sessions watched now. */
  get watcherCount(): number {
    return this.watchers.size
  }

  /** Open event streams of `sessionId`. */
  subscriberCount(sessionId: string): number {
    return this.watchers.get(sessionId)?.subscriberCount ?? 0
  }

  /** Ends every stream. */
  close(): void {
    for (const w of [...this.watchers.values()]) w.close()
    this.watchers.clear()
  }
}
