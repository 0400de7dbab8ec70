import type { ModelChange } from '../model/session-model.js'

/** One view of the session page: its element, and how it follows the model. */
export interface View {
  readonly root: HTMLElement
  update(change: ModelChange): void
  dispose(): void
}

/** The score axis settings the history and slice charts share (toggled above the history). */
export class ScoreScale {
  log = false
  clip = true
  private readonly listeners = new Set<() => void>()

  set(next: Partial<Pick<ScoreScale, 'log' | 'clip'>>): void {
    if (next.log !== undefined) this.log = next.log
    if (next.clip !== undefined) this.clip = next.clip
    for (const l of this.listeners) l()
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
