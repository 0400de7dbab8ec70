/**
 * Lets the event loop run once fully, so that timers (lease renewal, `wait`/`compile` timeouts,
 * `AbortSignal.timeout`), I/O callbacks and signal handlers (`process.on('SIGINT')`) get their
 * turn even when the objective and the store never await real I/O.
 *
 * Why two `setImmediate` hops: a signal handler runs in the loop's poll phase, and an immediate
 * queued from the poll phase (an objective or store that awaited I/O and then computed) runs in
 * the check phase right after it, before the poll phase has looked again; a second immediate,
 * queued from the check phase, runs only after the next poll phase. So a Ctrl-C that arrives
 * during a CPU-bound trial is always handled before the next trial starts. Two immediates cost
 * a few microseconds (`pnpm bench core`); a `setTimeout(0)` waits at least 1 ms per trial, and
 * a microtask lets nothing run.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise(hopTwice)
}

/** The first immediate queues the second, which resolves. */
function hopTwice(resolve: () => void): void {
  setImmediate(setImmediate, resolve)
}
