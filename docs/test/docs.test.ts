/**
 * Runs every ```ts block of the docs, so a documented example that stops working fails CI.
 * A block whose first line is a comment naming a test file (`// test/...`) shows a test file
 * of a plugin or store; those are taken from tested code and only checked to import testkit.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, test, vi } from 'vitest'

const docs = fileURLToPath(new URL('..', import.meta.url))
const snippets = join(docs, 'test', '.snippets')

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'test' || e.name.startsWith('.')) return []
    const p = join(dir, e.name)
    return e.isDirectory() ? markdownFiles(p) : e.name.endsWith('.md') ? [p] : []
  })
}

function blocks(file: string): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = []
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end]?.trim() !== '```') end++
    out.push({ line: start + 1, code: lines.slice(start, end).join('\n') })
    i = end
  }
  return out
}

rmSync(snippets, { recursive: true, force: true })
mkdirSync(snippets, { recursive: true })

for (const file of markdownFiles(docs)) {
  const found = blocks(file)
  if (found.length === 0) continue
  describe(relative(docs, file), () => {
    for (const { line, code } of found) {
      const isTestFile = /^\/\/ test\//.test(code.trimStart())
      test(`block at line ${line}${isTestFile ? ' (test file: imports testkit)' : ''}`, async () => {
        if (isTestFile) {
          expect(code).toMatch(/from '@cairn\/testkit'/)
          return
        }
        const name = `${relative(docs, file).replace(/[\\/]/g, '__').replace(/\.md$/, '')}__${line}.ts`
        const path = join(snippets, name)
        writeFileSync(path, `${code}\nexport {}\n`)
        const log = vi.spyOn(console, 'log').mockImplementation(() => {})
        try {
          await import(pathToFileURL(path).href)
        } finally {
          log.mockRestore()
        }
      })
    }
  })
}
