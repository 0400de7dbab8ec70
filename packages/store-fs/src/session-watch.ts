import { watch, type FSWatcher } from 'node:fs'
import type { SessionChange } from '@cairn/core'
import type { Layout } from './layout.js'

/** The name of the file in a session's directory whose writes are commits (see layout.ts). */
const JOURNAL = 'journal'
/** The name of the session's directory of trial slots. */
const SLOTS = 'slots'

/**
 * `watchSession` of the fs store, with `fs.watch` (inotify on Linux, FSEvents on macOS): for
 * `head`, on the session's directory, where a commit appends to or replaces `journal`; for
 * `slots`, on its `slots` directory, where every claim, renewal and report renames a file into
 * place — watched once it exists (the first slot write makes it; until then the session's
 * directory is watched for it). Watchers keep no process alive and close quietly on an error
 * (the session deleted, say): the callers poll all the same. A session with no directory yet is
 * not watched at all.
 */
export function watchSession(layout: Layout, sessionId: string, change: SessionChange, onChange: () => void): () => void {
  const watchers: FSWatcher[] = []
  let closed = false
  const open = (dir: string, listener: (filename: string | null) => void): FSWatcher | null => {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (!closed) listener(filename === null ? null : String(filename))
      })
      watcher.on('error', () => watcher.close())
      watchers.push(watcher)
      return watcher
    } catch {
      return null
    }
  }
  const close = (): void => {
    closed = true
    for (const w of watchers.splice(0)) w.close()
  }
  if (change === 'head') {
    open(layout.sessionDir(sessionId), (filename) => {
      if (filename === JOURNAL) onChange()
    })
    return close
  }
  // Slots: their directory, or the session's until it appears.
  const watchSlots = (): boolean => open(layout.slotsDir(sessionId), () => onChange()) !== null
  if (watchSlots()) return close
  const parent = open(layout.sessionDir(sessionId), (filename) => {
    if (filename !== SLOTS || !watchSlots()) return
    parent?.close()
    watchers.splice(watchers.indexOf(parent as FSWatcher), 1)
    onChange() // files written before the watch began
  })
  return close
}
