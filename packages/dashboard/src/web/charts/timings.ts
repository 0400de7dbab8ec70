import { isInView } from './queue.js'

/**
 * Performance marks of the page's render, read by the browser tests and the benchmark with
 * `performance.getEntriesByName`:
 * - `cairn:first-paint`: the session page's layout is in the document (set by the page);
 * - `cairn:chart:<name>`: a chart finished its first draw (`table`: the trial table's first rows);
 * - `cairn:first-view`: every chart in the viewport at first paint has drawn (what a visitor
 *   sees without scrolling is complete; `data-first-view` on the root element);
 * - `cairn:rendered`: every chart (and the table) has drawn, those below the viewport right
 *   after those in it, one per task, or sooner when scrolled to (`data-rendered` on the root element).
 */
class RenderTimings {
  private readonly pending = new Map<string, Element>()
  private readonly finished = new Set<string>()
  private firstView: Set<string> | null = null
  private firstViewDone = false
  private complete = false
  private settled = false
  private readonly waiting: Array<() => void> = []

  /** A chart that will report `done`, drawn in `el`. */
  expect(name: string, el: Element): void {
    if (!this.finished.has(name)) this.pending.set(name, el)
  }

  done(name: string): void {
    if (this.finished.has(name)) return
    this.finished.add(name)
    this.pending.delete(name)
    performance.mark(`cairn:chart:${name}`)
    this.check()
  }

  /** Called once the page has created every view and put its layout in the document. */
  settle(): void {
    this.settled = true
    this.firstView = new Set([...this.pending].filter(([, el]) => isInView(el)).map(([name]) => name))
    this.check()
  }

  private check(): void {
    if (!this.settled) return
    if (!this.firstViewDone && this.firstView && [...this.firstView].every((name) => this.finished.has(name))) {
      this.firstViewDone = true
      performance.mark('cairn:first-view')
      document.documentElement.dataset['firstView'] = 'true'
    }
    if (this.complete || this.pending.size > 0 || this.finished.size === 0) return
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

/** The page's render timings (one page per document). */
export const renderTimings = new RenderTimings()
