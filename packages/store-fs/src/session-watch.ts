import { watch, type FSWatcher } from 'node:fs'
import type { SessionChange } from '@cairn/core'
import type { Layout } from './layout.js'

/** The name of the file in a session's directory whose writes are commits (see layout.ts). */
const JOURNAL = 'journal'
/** The name of the session's directory of trial slots. */
const SLOTS = 'slots'

/**
 * `watchSession` of the fs store: `fs.watch` (inotify on Linux, FSEvents on macOS) on the
 * session's directory, where a commit appends to or replaces `journal` (`head`), and on its
 * `slots` directory, where every claim, renewal and report renames a file into place (`slots`);
 * the latter is watched once it exists (it is made by the first slot write). Watchers keep no
 * process alive and close quietly on an error (the session deleted, say): the callers poll all
 * the same. A session with no directory yet is not watched at all.
 */
export function watchSession(layout: Layout, sessionId: string, onChange: (change: SessionChange) => void): () => void {
  const watchers: FSWatcher[] = []
  let slotsWatched = false
  let closed = false
  const open = (dir: string, listener: (filename: string | null) => void): boolean => {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (!closed) listener(filename === null ? null : String(filename))
      })
      watcher.on('error', () => watcher.close())
      watchers.push(watcher)
      return true
    } catch {
      return false
    }
  }
  const watchSlots = (): void => {
    if (slotsWatched || closed) return
    slotsWatched = open(layout.slotsDir(sessionId), () => onChange('slots'))
    if (slotsWatched) onChange('slots') // files written before the watch began
  }
  const watched = open(layout.sessionDir(sessionId), (filename) => {
    if (filename === JOURNAL) onChange('head')
    else if (filename === SLOTS) watchSlots()
  })
  if (watched) watchSlots()
  return () => {
    closed = true
    for (const w of watchers.splice(0)) w.close()
  }
}
