/**
 * One trial's abort: it records the first reason, and makes its `AbortSignal` only when
 * someone asks for it. Making a signal costs a few microseconds (Node 20), more than a fast
 * trial's whole bookkeeping, and a synchronous objective seldom reads `ctx.signal`. A signal
 * made after the abort is made aborted with the same reason.
 */
export class TrialAbort {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  get aborted(): boolean {
    return this.#aborted
  }

  /** The reason given to the first `abort` (`AbortSignal`'s default `AbortError` when none was). */
  get reason(): unknown {
    return this.#reason
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  abort(reason?: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    if (reason === undefined) {
      // AbortSignal makes the default reason; the same one is used everywhere.
      const controller = (this.#controller ??= new AbortController())
      controller.abort()
      this.#reason = controller.signal.reason
      return
    }
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}
