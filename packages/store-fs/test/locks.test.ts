// Cross-process critical sections: exclusion, and recovery from a holder killed with SIGKILL.
import { spawn } from 'node:child_process'
import { readFile, readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TimeoutError } from '@cairn/core'
import { createFsStore } from '../src/index.js'
import { Layout } from '../src/layout.js'
import { withLock } from '../src/lock.js'
import { advance, fixture, kill9, newHead, runChild, trial, type Child } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'
import { childNodeArgs } from '../../../vitest.children.js'

let dir: string
const children: Child[] = []

tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')
afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c)
})

function holdLock(sessionId: string): Child {
  const child = runChild(fixture('hold-lock.ts'), [dir, sessionId])
  children.push(child)
  return child
}

describe('session locks across processes', () => {
  it('a live holder in another process excludes this one; once SIGKILLed, its stale lock does not block the next writer', async () => {
    // A long stale age: only proving the holder dead can let a writer in.
    const waiting = createFsStore({ dir, lockStaleMs: 600_000, lockTimeoutMs: 300 })
    await waiting.create(newHead('a'))
    const holder = holdLock('a')
    await holder.line((l) => l === 'locked')
    const err = await waiting.acquireLease('a', 'someone', 1000).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect(String((err as Error).message)).toMatch(/\[@cairn\/store-fs\].*session "a".*held by pid/)

    await kill9(holder)
    const left = await readdir(join(dir, 'locks'))
    expect(left.filter((n) => n.endsWith('.lock'))).toEqual(['s-a.lock'])
    // Each process that locks has a directory of its own there, named by a token, holding a `holder` file.
    const holderPid = async (n: string) => (JSON.parse(await readFile(join(dir, 'locks', n, 'holder'), 'utf8')) as { pid: number }).pid
    const holderDirs = left.filter((n) => !n.includes('.'))
    const deadHolder: string[] = []
    for (const n of holderDirs) if ((await holderPid(n)) === holder.proc.pid) deadHolder.push(n)
    expect(deadHolder).toHaveLength(1)
    const store = createFsStore({ dir, lockStaleMs: 600_000, lockTimeoutMs: 5_000 })
    const h = await store.load('a')
    const r = await store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
    expect(r.revision).toBe(1)
    // No lock left, and the dead holder's directory went with its lock; only this process's own remains.
    const now = await readdir(join(dir, 'locks'))
    expect(now.filter((n) => n.includes('.'))).toEqual([])
    expect(now).not.toContain(deadHolder[0])
    expect(await Promise.all(now.map(holderPid))).toEqual([process.pid])
  })

  it.runIf(process.platform === 'linux')('a holder killed but not reaped (a zombie) counts as dead', async () => {
    const store = createFsStore({ dir, lockStaleMs: 600_000, lockTimeoutMs: 5_000 })
    await store.create(newHead('a'))
    // `exec sleep` replaces the shell, so nothing ever reaps the killed holder: it stays a zombie.
    const node = [process.execPath, ...childNodeArgs(fixture('hold-lock.ts'))].map((a) => `"${a}"`).join(' ')
    const cmd = `${node} "${dir}" a & echo "pid $!"; exec sleep 120`
    const parent = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      let out = ''
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          if (out.includes('locked')) resolve()
        })
        parent.on('exit', () => reject(new Error(`holder exited early: ${out}`)))
      })
      const pid = Number(/pid (\d+)/.exec(out)?.[1])
      process.kill(pid, 'SIGKILL')
      let state: string | undefined
      for (let i = 0; i < 200 && state !== 'Z'; i++) {
        await new Promise((r) => setTimeout(r, 10))
        state = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.[0]
      }
      expect(state).toBe('Z') // kill(pid, 0) still succeeds on it
      expect((await store.acquireLease('a', 'creator', 1000)).fencingToken).toBe(2)
    } finally {
      parent.kill('SIGKILL')
    }
  })

  it('a lock whose holder cannot be checked (another host) is broken once its file is old', async () => {
    const store = createFsStore({ dir, lockStaleMs: 1_000, lockTimeoutMs: 5_000 })
    await store.create(newHead('a'))
    const lock = new Layout(dir).sessionLock('a')
    await writeFile(lock, JSON.stringify({ token: 't', pid: 1, host: 'elsewhere', ns: '', start: null, at: 0 }))
    const old = new Date(Date.now() - 60_000)
    await utimes(lock, old, old)
    expect((await store.acquireLease('a', 'creator', 1000)).fencingToken).toBe(2)
  })

  it('a fresh lock of an unknown holder is respected until it goes stale', async () => {
    const store = createFsStore({ dir, lockStaleMs: 60_000, lockTimeoutMs: 200 })
    await store.create(newHead('a'))
    await writeFile(new Layout(dir).sessionLock('a'), 'not even json')
    await expect(store.load('a')).resolves.toMatchObject({ sessionId: 'a' }) // reads take no lock
    await expect(store.acquireLease('a', 'x', 1000)).rejects.toBeInstanceOf(TimeoutError)
  })

  it('callers in one process queue instead of failing', async () => {
    const path = join(dir, 'locks', 'q.lock')
    const order: number[] = []
    let inside = 0
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withLock(path, { staleMs: 10_000, timeoutMs: 10_000, what: 'q', lost: () => new Error('lost') }, async () => {
          inside++
          expect(inside).toBe(1)
          await new Promise((r) => setTimeout(r, 1))
          order.push(i)
          inside--
        }),
      ),
    )
    expect(order).toHaveLength(20)
  })

  it('several processes committing one session under leases: no lost or duplicated trial', async () => {
    const store = createFsStore({ dir })
    await store.create(newHead('race', { lease: null }))
    const total = 40
    const workers = ['w1', 'w2', 'w3'].map((owner) => {
      const c = runChild(fixture('cas-worker.ts'), [dir, 'race', owner, String(total)])
      children.push(c)
      return c
    })
    const counts = await Promise.all(workers.map(async (w) => Number((await w.line((l) => l.startsWith('done '))).slice(5))))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total)
    const head = await store.load('race')
    expect(head.revision).toBe(total)
    const trials = await store.readTrials('race')
    expect(trials.map((t) => t.trialIdx)).toEqual(Array.from({ length: total }, (_, i) => i))
  }, 60_000)
})
