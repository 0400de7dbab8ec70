import { describe, expect, test } from 'vitest'
import { categorical, float, InvalidInputError, int, parseSpace, space, startSession, UnknownOptionError } from '../src/index.js'
import { uniform } from './helpers/optimizers.js'

const floatParam = (extra: Record<string, unknown> = {}) => ({ kind: 'float', low: 0, high: 1, log: false, ...extra })

/** What `parseSpace` (a space given as a plain object) and `startSession({ space })` throw. */
async function refusals(raw: unknown): Promise<{ parse: unknown; start: unknown }> {
  let parse: unknown = null
  try {
    parseSpace(raw)
  } catch (err) {
    parse = err
  }
  const start = await startSession({ optimizer: uniform(), objective: () => 0, space: raw as never }).catch((e: unknown) => e)
  return { parse, start }
}

describe('raw spaces get the checks of float(), int() and categorical()', () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a condition key (was silently ignored)',
      { k: { kind: 'categorical', choices: ['a', 'b'], condition: { x: 'a' } } },
      'space.k.condition',
      /unknown option space\.k\.condition \(known: kind, choices\)/,
    ],
    ['a misspelled key', { x: floatParam({ stpe: 0.1 }) }, 'space.x.stpe', /did you mean step\?/],
    ['duplicate choices', { k: { kind: 'categorical', choices: ['a', 'b', 'a'] } }, 'space.k', /duplicate choice "a"/],
    [
      'duplicate object choices in another key order',
      {
        k: {
          kind: 'categorical',
          choices: [
            { a: 1, b: 2 },
            { b: 2, a: 1 },
          ],
        },
      },
      'space.k',
      /duplicate choice/,
    ],
    [
      'an undefined choice',
      { k: { kind: 'categorical', choices: ['a', undefined] } },
      'space.k',
      /choice 1 \(undefined\) is not a JSON value/,
    ],
    ['a step wider than the range', { x: floatParam({ step: 2 }) }, 'space.x', /step 2 is wider than the range/],
    [
      'an int step wider than the range',
      { n: { kind: 'int', low: 0, high: 3, log: false, step: 4 } },
      'space.n',
      /step 4 is wider than the range/,
    ],
    ['a range too wide to sample', { x: floatParam({ low: -1e308, high: 1e308 }) }, 'space.x', /too wide to sample/],
    ['an infinite bound', { x: floatParam({ high: Number.POSITIVE_INFINITY }) }, 'space.x.high', /must be a number/],
    ['a NaN bound', { x: floatParam({ low: Number.NaN }) }, 'space.x.low', /must be a number/],
    ['an unsafe int bound', { n: { kind: 'int', low: 0, high: 2 ** 60, log: false } }, 'space.n', /safe integers/],
    [
      'an unknown kind',
      { x: floatParam({ kind: 'double' }) },
      'space.x.kind',
      /must be "float", "int", "categorical" or "choice", got "double"/,
    ],
    ['a parameter named constructor', { constructor: floatParam() }, 'space.constructor', /reserved/],
    ['a parameter named prototype', { prototype: floatParam() }, 'space.prototype', /reserved/],
  ])('%s', async (_what, params, field, message) => {
    const { parse, start } = await refusals({ version: 1, params })
    for (const err of [parse, start]) {
      expect(err).toBeInstanceOf(InvalidInputError)
      expect(err).toMatchObject({ field })
      expect((err as Error).message).toMatch(message)
    }
  })

  test('a parameter named __proto__ (as JSON.parse makes it: an own key)', async () => {
    const raw = JSON.parse('{"version":1,"params":{"__proto__":{"kind":"float","low":0,"high":1,"log":false}}}')
    const { parse, start } = await refusals(raw)
    for (const err of [parse, start]) expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'space.__proto__' })
  })

  test('an unknown key on the space itself', () => {
    expect(() => parseSpace({ version: 1, params: { x: floatParam() }, conditions: [] })).toThrow(UnknownOptionError)
  })
})

describe('the helpers refuse the same things, with the same words', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['float(-1e308, 1e308) (proposed only 1e308)', () => float(-1e308, 1e308), /too wide to sample/],
    ['float(-Number.MAX_VALUE, Number.MAX_VALUE)', () => float(-Number.MAX_VALUE, Number.MAX_VALUE), /too wide to sample/],
    ['an undefined choice', () => categorical(['a', undefined as never]), /not a JSON value/],
    ['a hole', () => categorical(Array.from({ length: 2 }, (_, i) => (i === 0 ? 'a' : (undefined as never)))), /not a JSON value/],
    [
      'duplicate objects in another key order',
      () =>
        categorical([
          { a: 1, b: 2 },
          { b: 2, a: 1 },
        ]),
      /duplicate choice/,
    ],
    ['a step wider than the range', () => int(0, 3, { step: 4 }), /wider than the range/],
    ['a log option that is not a boolean', () => float(1, 2, { log: 'yes' as never }), /^float\(\): log must be true or false, got "yes"$/],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(InvalidInputError)
    expect(build).toThrow(message)
  })

  test('a range whose width is finite is accepted, however wide', () => {
    expect(space({ x: float(-1e307, 1e307) }).params.x).toEqual({ kind: 'float', low: -1e307, high: 1e307, log: false })
  })
})
