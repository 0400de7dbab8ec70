import { describe, expect, it } from 'vitest'
import { lineSplitter } from '../src/lines.js'

describe('lineSplitter (the socket protocol reads JSON lines)', () => {
  it('gives each line once, whole, however the chunks cut it', () => {
    const text = '{"id":1}\n{"id":2,"value":"a long line"}\n\n{"id":3}\n'
    for (const size of [1, 2, 3, 7, text.length]) {
      const lines: string[] = []
      const split = lineSplitter((l) => void lines.push(l))
      for (let i = 0; i < text.length; i += size) split.push(text.slice(i, i + size))
      expect(lines).toEqual(['{"id":1}', '{"id":2,"value":"a long line"}', '', '{"id":3}'])
      expect(split.pendingLength()).toBe(0)
    }
  })

  it('keeps what follows the last newline for the next chunk, and counts it', () => {
    const lines: string[] = []
    const split = lineSplitter((l) => void lines.push(l))
    split.push('a\nbc')
    expect(split.pendingLength()).toBe(2)
    split.push('d\n')
    expect(lines).toEqual(['a', 'bcd'])
  })

  it('stops when told to', () => {
    const lines: string[] = []
    const split = lineSplitter((l) => {
      lines.push(l)
      return l !== 'stop'
    })
    split.push('one\nstop\nnever\n')
    expect(lines).toEqual(['one', 'stop'])
  })
})
