/**
 * Draws charts one per task: a page with many charts of 10,000 points paints its layout first
 * and stays responsive while the charts draw, instead of blocking until the last one is done.
 * A chart queued again before its turn draws only its latest option.
 */
const queue = new Map<object, () => void>()
let scheduled = false
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel()

function runOne(): void {
  scheduled = false
  const next = queue.entries().next()
  if (next.done) return
  const [key, job] = next.value
  queue.delete(key)
  if (queue.size > 0) schedule()
  job()
}

function schedule(): void {
  if (scheduled) return
  scheduled = true
  if (channel) channel.port2.postMessage(null)
  else setTimeout(runOne, 0)
}

if (channel) channel.port1.onmessage = runOne

/** Runs `job` in a task of its own, after the jobs queued before it; replaces `key`'s queued job. */
export function enqueueDraw(key: object, job: () => void): void {
  queue.delete(key)
  queue.set(key, job)
  schedule()
}

/** Drops `key`'s queued job (a chart disposed before its turn). */
export function cancelDraw(key: object): void {
  queue.delete(key)
}
