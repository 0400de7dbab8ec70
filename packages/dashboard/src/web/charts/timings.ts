/**
 * Performance marks of the page's render: `cairn:first-paint` when the session page's layout is
 * in the document, `cairn:chart:<name>` when a chart first finished drawing, and
 * `cairn:rendered` once every chart expected so far has. The browser tests and the benchmark
 * read them with `performance.getEntriesByName`.
 */
class RenderTimings {
  private readonly pending = new Set<string>()
  private readonly finished = new Set<string>()
  private complete = false
  private settled = false
  private readonly waiting: Array<() => void> = []

  /** A chart that will report `done`. */
  expect(name: string): void {
    if (!this.finished.has(name)) this.pending.add(name)
  }

  done(name: string): void {
    if (this.finished.has(name)) return
    this.finished.add(name)
    this.pending.delete(name)
    performance.mark(`cairn:chart:${name}`)
    this.check()
  }

  /** Called once the page has created every view. */
  settle(): void {
    this.settled = true
    this.check()
  }

  private check(): void {
    if (!this.settled || this.complete || this.pending.size > 0 || this.finished.size === 0) return
    this.complete = true
    performance.mark('cairn:rendered')
    document.documentElement.dataset['rendered'] = 'true'
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  /** Resolves once every chart has drawn (at once if they have): background work waits for it. */
  whenRendered(): Promise<void> {
    return this.complete ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve))
  }
}

export const renderTimings = new RenderTimings()
