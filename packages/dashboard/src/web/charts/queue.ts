/**
 * The charts' draw queue. Charts draw one per task, those in the viewport first (in document
 * order), so a page of many 10,000-point charts paints its layout at once, shows what is on
 * screen next and stays responsive. A chart out of view that never drew draws in the browser's
 * idle time; one that already drew and was given new data waits until it scrolls into view (a
 * live page does not redraw what no one sees). A chart queued again before its turn draws only
 * its latest job.
 */

/** A queued draw. */
interface Job {
  readonly el: HTMLElement
  readonly run: () => void
  /** Drawn even out of view (in idle time): the chart's first draw. */
  readonly eager: boolean
}

const queue = new Map<object, Job>()
/** What the observer last said of each element (absent: not reported yet). */
const inView = new WeakMap<Element, boolean>()
let taskScheduled = false
/** While true, nothing draws (the charting library is still loading: `holdDrawsUntil`). */
let held = false
let idleScheduled = false
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

function runEntry(entry: [object, Job] | null): void {
  if (!entry) return
  queue.delete(entry[0])
  entry[1].run()
}

function runVisible(): void {
  taskScheduled = false
  const entry = firstOf((job) => isInView(job.el))
  runEntry(entry)
  schedule()
}

function runIdle(): void {
  idleScheduled = false
  const entry = firstOf((job) => isInView(job.el)) ?? firstOf((job) => job.eager)
  runEntry(entry)
  schedule()
}

/** A first draw out of view waits at most this long for idle time (a busy live page has little). */
const IDLE_TIMEOUT_MS = 2000

function requestIdle(run: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS })
  else setTimeout(run, 50)
}

/** Schedules the next draw: a task for a chart in view, idle time for the first draw of one out of view. */
function schedule(): void {
  if (held || queue.size === 0) return
  let visible = false
  let eager = false
  for (const job of queue.values()) {
    if (isInView(job.el)) visible = true
    else if (job.eager) eager = true
  }
  if (visible && !taskScheduled) {
    taskScheduled = true
    if (channel) channel.port2.postMessage(null)
    else setTimeout(runVisible, 0)
  } else if (!visible && eager && !idleScheduled) {
    idleScheduled = true
    requestIdle(runIdle)
  }
}

if (channel) channel.port1.onmessage = runVisible

/**
 * Holds every queued draw until `ready` settles (resolved or rejected), then draws them in the
 * queue's order: the charts wait for their library's script (echarts.ts), and the table, which
 * needs none, still draws after the charts in view.
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
 * own while `el` is in view, else in idle time when `eager`, else once `el` scrolls into view.
 */
export function enqueueDraw(key: object, el: HTMLElement, run: () => void, eager: boolean): void {
  queue.delete(key)
  queue.set(key, { el, run, eager })
  // The first run waits for the caller's task to end, when the page's layout is in the document.
  queueMicrotask(schedule)
}

/** Drops `key`'s queued draw (a chart disposed before its turn). */
export function cancelDraw(key: object): void {
  queue.delete(key)
}
