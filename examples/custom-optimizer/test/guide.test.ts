// The guide (docs/guides/writing-an-optimizer.md) shows this example's files; keep them equal.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')
const guide = read('../../../docs/guides/writing-an-optimizer.md')
const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1])

test.each(['../src/hill-climber.ts', './hill-climber.test.ts', './real-process.test.ts'])(
  'docs/guides/writing-an-optimizer.md shows %s exactly',
  (file) => {
    expect(blocks).toContain(read(file))
  },
)
