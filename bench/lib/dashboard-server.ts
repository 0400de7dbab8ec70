/**
 * The dashboard server of `bench/dashboard.ts`, alone in its own process so its memory is its
 * own: opens the fs store at argv[2], serves it (poll interval argv[3] ms), and answers the
 * parent's IPC messages — `measure` with its memory after a full GC, its CPU time so far and its
 * peak RSS. Run with --expose-gc.
 */
import { createDashboardServer } from '@cairn/dashboard'
import { createFsStore } from '@cairn/store-fs'

const [dir, pollMs] = process.argv.slice(2)
const store = createFsStore({ dir: dir as string })
const server = await createDashboardServer({ store, port: 0, pollIntervalMs: Number(pollMs) })
const gc = (globalThis as { gc?: () => void }).gc
const send = (message: unknown) => process.send?.(message)

process.on('message', async (message: { type: string }) => {
  if (message.type === 'measure') {
    gc?.()
    gc?.()
    const mem = process.memoryUsage()
    send({
      type: 'measure',
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      external: mem.external,
      cpu: process.cpuUsage(),
      maxRss: process.resourceUsage().maxRSS * 1024,
    })
  } else if (message.type === 'stop') {
    await server.close()
    await store.close()
    process.exit(0)
  }
})
send({ type: 'ready', url: server.url, token: server.token })
