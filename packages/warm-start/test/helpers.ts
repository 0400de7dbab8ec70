import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childNodeArgs } from '../../../vitest.children.js'

/** Runs a fixture in a new Node process (see `childNodeArgs`) and returns its stdout parsed as JSON. */
export async function runFixture(name: string, args: readonly string[]): Promise<unknown> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
  const child = spawn(process.execPath, [...childNodeArgs(script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) throw new Error(`fixture ${name} exited with ${code}: ${err}`)
  return JSON.parse(out)
}

/** Seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` small question-answer examples with a nested object and unsorted keys. */
export function qaExamples(n: number, seed = 1): Record<string, unknown>[] {
  const r = rng(seed)
  return Array.from({ length: n }, (_, i) => ({
    question: `question ${i} ${r().toString(36)}`,
    answer: r() < 0.1 ? 'réponse é' : `answer ${Math.floor(r() * 100)}`,
    score: Math.round(r() * 1000) / 1000,
    meta: { source: r() < 0.5 ? 'wiki' : 'news', id: i },
  }))
}
