import diagnostics from 'node:diagnostics_channel'
import { expect, test } from 'vitest'
import { CHANNEL_NAMES, startSession } from '../src/index.js'
import { sphere, uniform } from './helpers/optimizers.js'

test('sessions publish start, trial, checkpoint and stop on node:diagnostics_channel', async () => {
  const seen: string[] = []
  const names = [CHANNEL_NAMES.sessionStart, CHANNEL_NAMES.sessionTrial, CHANNEL_NAMES.sessionCheckpoint, CHANNEL_NAMES.sessionStop]
  const listeners = names.map((name) => {
    const fn = (): void => void seen.push(name)
    diagnostics.subscribe(name, fn)
    return [name, fn] as const
  })
  try {
    const h = await startSession({ optimizer: uniform(), maxTrials: 2, objective: sphere })
    await h.wait()
  } finally {
    for (const [name, fn] of listeners) diagnostics.unsubscribe(name, fn)
  }
  expect(seen).toEqual([
    'cairn:session:start',
    'cairn:session:trial',
    'cairn:session:checkpoint',
    'cairn:session:trial',
    'cairn:session:checkpoint',
    'cairn:session:stop',
  ])
})
