import type { SessionChange } from './contract.js'

/**
 * The `watchSession` listeners of an in-process store, by session and kind of change: `tell`
 * calls each listener on a later microtask, so a store call that tells never runs a listener
 * inside its own step.
 */
export class SessionWatchers {
  private readonly listeners = new Map<string, Set<() => void>>()

  /** Adds `onChange` for changes `change` of `sessionId`; the returned function removes it. */
  add(sessionId: string, change: SessionChange, onChange: () => void): () => void {
    const key = keyOf(sessionId, change)
    let set = this.listeners.get(key)
    if (!set) this.listeners.set(key, (set = new Set()))
    const own = set
    const listener = (): void => onChange()
    own.add(listener)
    return () => {
      own.delete(listener)
      if (own.size === 0 && this.listeners.get(key) === own) this.listeners.delete(key)
    }
  }

  /** Tells every listener of changes `change` of `sessionId`, soon. */
  tell(sessionId: string, change: SessionChange): void {
    const set = this.listeners.get(keyOf(sessionId, change))
    if (!set) return
    for (const listener of [...set]) queueMicrotask(listener)
  }
}

const keyOf = (sessionId: string, change: SessionChange): string => `${change}:${sessionId}`
