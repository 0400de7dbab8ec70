import type { CheckpointStore } from '@cairn/core'
import type { ResumeLauncher } from './resume-launcher.js'
import type { SseHub } from './sse-hub.js'

/** What the API routes work with. */
export interface ApiContext {
  store: CheckpointStore
  hub: SseHub
  resumer: ResumeLauncher
  now: () => number
}
