import type { SessionChange } from './contract.js'

/**
 * The `watchSession` listeners of an in-process store, by session: `tell` calls each listener
 * of a session on a later microtask, so a store call that tells never runs a listener inside
 * its own step.
 */
export class SessionWatchers {
  private readonly listeners = new Map<string, Set<(change: SessionChange) => void>>()

  /** Adds `onChange` for `sessionId`; the returned function removes it. */
  add(sessionId: string, onChange: (change: SessionChange) => void): () => void {
    let set = this.listeners.get(sessionId)
    if (!set) this.listeners.set(sessionId, (set = new Set()))
    const own = set
    const listener = (change: SessionChange): void => onChange(change)
    own.add(listener)
    return () => {
      own.delete(listener)
      if (own.size === 0 && this.listeners.get(sessionId) === own) this.listeners.delete(sessionId)
    }
  }

  /** Tells every listener of `sessionId` of `change`, soon. */
  tell(sessionId: string, change: SessionChange): void {
    const set = this.listeners.get(sessionId)
    if (!set) return
    for (const listener of [...set]) queueMicrotask(() => listener(change))
  }
}
