import { makeTrial } from '../helpers/head.js'
import { commitNext, createSession, type StoreSuite } from './context.js'

/** Per-trial cost must not grow with history: commits append, never rewrite. */
export function registerHistory(s: StoreSuite): void {
  const { expect } = s.runner

  s.it(
    'O(1) per trial: committing trial 200 leaves earlier trial records untouched',
    async ({ store }) => {
      const { sessionId: id } = await createSession(store)
      const mark = (i: number) => makeTrial(i, { candidate: { i, pad: 'x'.repeat(64) }, stats: { written: `commit ${i}` } })
      for (let i = 0; i < 3; i++) await commitNext(store, id, { trials: [mark(i)] })
      const early = await store.readTrials(id)
      expect(early).toEqual([mark(0), mark(1), mark(2)])
      for (let i = 3; i < 200; i++) await commitNext(store, id, { trials: [mark(i)] })
      const head = await store.load(id)
      expect(head.revision).toBe(200)
      expect(head.progress.attempts).toBe(200)
      expect(await store.readTrials(id, { from: 0, limit: 3 })).toEqual(early)
      expect(await store.readTrials(id, { from: 197, limit: 10 })).toEqual([mark(197), mark(198), mark(199)])
      const all = await store.readTrials(id)
      expect(all).toHaveLength(200)
      all.forEach((t, i) => {
        expect(t).toEqual(mark(i))
      })
      expect(await store.readTrials(id, { from: 100, limit: 2 })).toEqual([mark(100), mark(101)])
    },
    120_000,
  )
}
