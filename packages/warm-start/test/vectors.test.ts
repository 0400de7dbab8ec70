import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { VECTORS } from './vectors.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('published test vectors', () => {
  it.each(VECTORS)('$name', (v) => {
    // The reference encoder (written from the documented layout) agrees...
    expect(v.ref()).toBe(v.hex)
    // ...the implementation gives the pinned value...
    expect(v.build()).toBe(v.hex)
    // ...and the README publishes it next to the code that makes it.
    const row = README.split('\n').find((line) => line.includes(v.hex))
    expect(row, `README row for ${v.name}`).toBeDefined()
    expect(row).toContain(v.code)
  })
})
