/**
 * The charts' draw queue. Charts draw one per task, those in the viewport first (in document
 * order), so a page of many 10,000-point charts paints its layout at once, shows what is on
 * screen next and stays responsive. A chart out of view that never drew draws next, still one
 * per task (ordinary tasks, not idle callbacks: an idle period waits for a frame, and each draw
 * asks for one); one that already drew and was given new data waits until it scrolls into view
 * (a live page does not redraw what no one sees). A chart queued again before its turn draws
 * only its latest job. While the charting library loads, the queue builds the charts' options.
 */

/** A queued draw. */
interface Job {
  readonly el: HTMLElement
  readonly run: () => void
  /** Drawn even out of view: the chart's first draw. */
  readonly eager: boolean
  /** Work of the draw that needs no library (building the chart's option), run while the library loads; null once run. */
  prepare: (() => void) | null
}

/** What `enqueueDraw` may add to a draw. */
export interface DrawOptions {
  /** The part of `run` that needs no charting library: run ahead, in a task of its own, while the library loads. */
  readonly prepare?: () => void
}

const queue = new Map<object, Job>()
/** What the observer last said of each element (absent: not reported yet). */
const inView = new WeakMap<Element, boolean>()
let taskScheduled = false
/** While true, no draw runs, only the preparations (the charting library is still loading: `holdDrawsUntil`). */
let held = false
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel()
const observer =
  typeof IntersectionObserver === 'undefined'
    ? null
    : new IntersectionObserver((entries) => {
        let wake = false
        for (const e of entries) {
          inView.set(e.target, e.isIntersecting)
          if (e.isIntersecting) wake = true
        }
        if (wake) schedule()
      })

/** True when `el` intersects the viewport (what the observer said, else its layout box now). */
export function isInView(el: Element): boolean {
  const known = inView.get(el)
  if (known !== undefined) return known
  if (!el.isConnected) return false
  const r = el.getBoundingClientRect()
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth
}

/** The first job in document order among those `accept` takes. */
function firstOf(accept: (job: Job) => boolean): [object, Job] | null {
  let best: [object, Job] | null = null
  for (const entry of queue) {
    if (!accept(entry[1])) continue
    if (!best || best[1].el.compareDocumentPosition(entry[1].el) & Node.DOCUMENT_POSITION_PRECEDING) best = entry
  }
  return best
}

/** A job that may run now (in view first, then the first draws out of view), and whether to run or only prepare it. */
function next(): { entry: [object, Job]; prepareOnly: boolean } | null {
  if (!held) {
    const entry = firstOf((job) => isInView(job.el)) ?? firstOf((job) => job.eager)
    return entry ? { entry, prepareOnly: false } : null
  }
  const entry = firstOf((job) => isInView(job.el) && job.prepare !== null) ?? firstOf((job) => job.eager && job.prepare !== null)
  return entry ? { entry, prepareOnly: true } : null
}

/** Runs one job (or its preparation), then schedules the next: one per task, so the page stays responsive between them. */
function runNext(): void {
  taskScheduled = false
  const job = next()
  if (job) {
    const [key, j] = job.entry
    if (job.prepareOnly) {
      const prepare = j.prepare as () => void
      j.prepare = null
      prepare()
    } else {
      queue.delete(key)
      j.run()
    }
  }
  schedule()
}

/** Schedules the next job in a task of its own (a chart in view first, then the first draw of one out of view). */
function schedule(): void {
  if (taskScheduled || queue.size === 0 || !next()) return
  taskScheduled = true
  if (channel) channel.port2.postMessage(null)
  else setTimeout(runNext, 0)
}

if (channel) channel.port1.onmessage = runNext

/**
 * Holds every queued draw until `ready` settles (resolved or rejected),
 * then draws them in the queue's order: the charts wait for their library's script (echarts.ts),
 * and the table, which needs none, still draws after the charts in view. Meanwhile the queue
 * builds the charts' options (`prepare`, those in view first), one per task.
 */
export function holdDrawsUntil(ready: Promise<unknown>): void {
  held = true
  const release = (): void => {
    held = false
    schedule()
  }
  ready.then(release, release)
}

/** Follows `el`'s visibility: a chart's queued draw runs once it scrolls into view. */
export function observeChart(el: HTMLElement): void {
  observer?.observe(el)
}

/** Stops following `el` (a disposed chart). */
export function unobserveChart(el: HTMLElement): void {
  observer?.unobserve(el)
  inView.delete(el)
}

/**
 * Queues `run`, the draw of the chart in `el`, replacing `key`'s queued draw: in a task of its
 * own while `el` is in view or when `eager` (after those in view), else once `el` scrolls into
 * view. `options.prepare` runs ahead while the charting library loads.
 */
export function enqueueDraw(key: object, el: HTMLElement, run: () => void, eager: boolean, options: DrawOptions = {}): void {
  queue.delete(key)
  queue.set(key, { el, run, eager, prepare: options.prepare ?? null })
  // The first run waits for the caller's task to end, when the page's layout is in the document.
  queueMicrotask(schedule)
}

/** Drops `key`'s queued draw (a chart disposed before its turn). */
export function cancelDraw(key: object): void {
  queue.delete(key)
}
