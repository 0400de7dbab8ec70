import { InvalidInputError, UnknownOptionError } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { createCairn, defineConfig, loadConfig, type Cairn } from '@cairn/cli'
import { float, space } from './helpers/deps.js'

const config = defineConfig({
  store: 'memory:',
  jobs: { quad: { space: space({ x: float(-1, 1) }), objective: ({ x }: { x: number }) => x * x, maxTrials: 3, seed: 1 } },
})

async function rejection(p: () => Promise<unknown>): Promise<unknown> {
  try {
    await p()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe("createCairn's option objects are strict", () => {
  test.each<[string, (c: Cairn) => Promise<unknown>, string, string]>([
    ['start', (c) => c.start('quad', { maxTrial: 1 } as never), 'maxTrial', 'maxTrials'],
    ['resume', (c) => c.resume('any', { paralelism: 2 } as never), 'paralelism', 'parallelism'],
    ['open', (c) => c.open('quad', { sessionID: 'q-1' } as never), 'sessionID', 'sessionId'],
    ['show', (c) => c.show('any', { lastTrial: 2 } as never), 'lastTrial', 'lastTrials'],
    ['delete', (c) => c.delete('any', { forced: true } as never), 'forced', 'force'],
    ['control', (c) => c.control('any', 'pause', { wiat: true } as never), 'wiat', 'wait'],
    ['monitor', (c) => c.monitor(undefined, { ownr: 'm' } as never), 'ownr', 'owner'],
  ])('%s refuses an unknown key, naming the nearest, before it touches the store', async (method, call, key, nearest) => {
    const cairn = createCairn(config)
    const err = await rejection(() => call(cairn))
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: key, suggestion: nearest })
    expect((err as Error).message).toBe(`[cairn] ${method}: unknown option ${key} (did you mean ${nearest}?)`)
    expect(await cairn.list()).toEqual([])
    await cairn.close()
  })

  test('createCairn refuses an unknown key of its own options', () => {
    expect(() => createCairn(config, { basedir: '.' } as never)).toThrow(
      '[cairn] createCairn: unknown option basedir (did you mean baseDir?)',
    )
  })

  test('loadConfig refuses an unknown key of its options', async () => {
    await expect(loadConfig({ file: 'cairn.config.ts' } as never)).rejects.toThrow(UnknownOptionError)
    await expect(loadConfig({ file: 'cairn.config.ts' } as never)).rejects.toThrow(
      /^\[cairn\] loadConfig: unknown option file \(known: cwd, path\)$/,
    )
  })

  test('a value of the wrong kind is an InvalidInputError naming the field', async () => {
    const cairn = createCairn(config)
    const err = await rejection(() => cairn.open('quad', { maxTrials: -1 }))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'maxTrials' })
    expect((err as Error).message).toMatch(/^\[cairn\] maxTrials: must be an integer in \[0, \d+\], got -1$/)
    const wait = await rejection(() => cairn.resume('any', { onLeaseWait: 'log' as never }))
    expect((wait as Error).message).toBe('[cairn] onLeaseWait: must be a function (wait) => void, got "log"')
    expect(await cairn.list()).toEqual([])
    await cairn.close()
  })

  test('the options the CLI itself passes are taken', async () => {
    const cairn = createCairn(config)
    const opened = await cairn.open('quad', { maxTrials: 2, seed: 3, onLeaseWait: () => undefined })
    expect(opened.kind).toBe('started')
    if (opened.kind === 'finished') return
    expect(await opened.handle.wait()).toMatchObject({ status: 'completed', progress: { attempts: 2 } })
    await cairn.close()
  })
})
