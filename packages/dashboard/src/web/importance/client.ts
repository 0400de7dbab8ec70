import type { ImportanceInput, ImportanceResult } from './permutation.js'

/** The worker's bundled source, put here by the build (scripts/build-web.mjs). */
declare const IMPORTANCE_WORKER_SOURCE: string

type Reply = { id: number; result: ImportanceResult } | { id: number; error: string }

/**
 * Runs importance computations in a Web Worker started from a Blob URL. `compute` resolves with
 * the result of the latest request only: an older one still running is superseded (its promise
 * resolves with null).
 */
export class ImportanceClient {
  private worker: Worker | null = null
  private next = 0
  private waiting = new Map<number, (r: ImportanceResult | null, error?: string) => void>()

  private start(): Worker {
    if (this.worker) return this.worker
    const url = URL.createObjectURL(new Blob([IMPORTANCE_WORKER_SOURCE], { type: 'text/javascript' }))
    const worker = new Worker(url)
    worker.onmessage = (e: MessageEvent<Reply>) => {
      URL.revokeObjectURL(url)
      const done = this.waiting.get(e.data.id)
      this.waiting.delete(e.data.id)
      if ('error' in e.data) done?.(null, e.data.error)
      else done?.(e.data.id === this.next ? e.data.result : null)
    }
    worker.onerror = (e) => {
      for (const done of this.waiting.values()) done(null, e.message || 'the importance worker failed')
      this.waiting.clear()
    }
    this.worker = worker
    return worker
  }

  compute(input: ImportanceInput): Promise<ImportanceResult | null> {
    const id = ++this.next
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (result, error) => (error ? reject(new Error(error)) : resolve(result)))
      try {
        this.start().postMessage({ id, input })
      } catch (err) {
        this.waiting.delete(id)
        reject(err)
      }
    })
  }

  dispose(): void {
    this.worker?.terminate()
    this.worker = null
    this.waiting.clear()
  }
}
