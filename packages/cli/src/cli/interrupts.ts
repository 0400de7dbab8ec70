/**
 * Ctrl-C (SIGINT) and SIGTERM handling: the first signal runs the current soft action (pause
 * after the trial in flight, stop the monitor); a second one — or the first when there is no
 * soft action — quits at once through `hard`.
 */
export class Interrupts {
  private soft: (() => void) | null = null
  private count = 0
  private readonly listener = (): void => {
    this.count++
    const soft = this.soft
    if (this.count === 1 && soft) {
      this.soft = null
      soft()
      return
    }
    this.hard()
  }

  constructor(private readonly hard: () => void) {}

  install(): this {
    process.on('SIGINT', this.listener)
    process.on('SIGTERM', this.listener)
    return this
  }

  /** The action of the next first signal (null: quit at once). */
  onSoft(action: (() => void) | null): void {
    this.soft = action
  }

  /** True once a signal arrived. */
  get interrupted(): boolean {
    return this.count > 0
  }

  dispose(): void {
    process.off('SIGINT', this.listener)
    process.off('SIGTERM', this.listener)
  }
}
