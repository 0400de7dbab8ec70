import { describe, expect, expectTypeOf, test } from 'vitest'
import {
  activeCandidate,
  activeParams,
  askTell,
  assertCandidate,
  branchNames,
  type Candidate,
  categorical,
  choice,
  flatParams,
  float,
  InvalidInputError,
  int,
  isConditional,
  parseSpace,
  space,
  spaceEntries,
  spaceGroups,
  startSession,
  UnknownOptionError,
} from '../src/index.js'
import { uniform, uniformSampler } from './helpers/optimizers.js'

const models = space({
  model: choice({
    svm: space({ c: float(1e-3, 1e3, { log: true }), kernel: categorical(['rbf', 'linear']) }),
    rf: { trees: int(10, 500) },
    mlp: { layers: int(1, 4), opt: choice({ sgd: { momentum: float(0, 0.99) }, adam: {} }) },
  }),
  lr: float(1e-4, 1e-1, { log: true }),
})

function thrown(f: () => unknown): Error {
  try {
    f()
  } catch (err) {
    return err as Error
  }
  throw new Error('did not throw')
}

describe('choice(): building conditional spaces', () => {
  test('the space is plain JSON; branches given as space() or as records are stored alike', () => {
    expect(JSON.parse(JSON.stringify(models))).toEqual(models)
    expect(models.params.model.branches.rf).toEqual({ trees: { kind: 'int', low: 10, high: 500, log: false } })
    expect(models.params.model.branches.svm.c.kind).toBe('float')
    expect(parseSpace(JSON.parse(JSON.stringify(models)))).toEqual(models)
    expect(isConditional(models)).toBe(true)
    expect(isConditional(space({ x: float(0, 1) }))).toBe(false)
  })

  test('candidates are typed flat: the branch name and only that branch’s parameters', () => {
    type C = Candidate<typeof models>
    const svm: C = { model: 'svm', c: 1, kernel: 'rbf', lr: 0.01 }
    const mlp: C = { model: 'mlp', layers: 2, opt: 'sgd', momentum: 0.9, lr: 0.01 }
    expectTypeOf(svm).toMatchTypeOf<{ lr: number }>()
    expectTypeOf(mlp).toMatchTypeOf<{ model: 'svm' | 'rf' | 'mlp' }>()
    // @ts-expect-error: `trees` belongs to branch rf, not svm
    const wrong: C = { model: 'svm', c: 1, kernel: 'rbf', lr: 0.01, trees: 3 }
    void wrong
  })

  test('a parameter name used twice anywhere is refused, naming both places', () => {
    const err = thrown(() => space({ c: float(0, 1), model: choice({ svm: { c: float(0, 1) }, rf: {} }) }))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'space.model.svm.c' })
    expect(err.message).toMatch(/parameter "c" is defined twice, at space\.c and at space\.model\.svm\.c/)
    const across = thrown(() => space({ model: choice({ a: { x: float(0, 1) }, b: { opt: choice({ d: { x: int(0, 3) } }) } }) }))
    expect(across.message).toMatch(/at space\.model\.a\.x and at space\.model\.b\.opt\.d\.x/)
    const choiceName = thrown(() => space({ model: choice({ a: { model: float(0, 1) } }) }))
    expect(choiceName.message).toMatch(/"model" is defined twice/)
  })

  test('bad choices are refused by choice() and by parseSpace (raw spaces)', () => {
    expect(() => choice({})).toThrow(/choice\(\): needs at least one branch/)
    expect(() => choice({ a: 3 as never })).toThrow(/branch "a" must be a space/)
    expect(() => choice({ constructor: {} })).toThrow(/"constructor" cannot name a branch/)
    const raw = (params: Record<string, unknown>) => ({ version: 1, params })
    expect(thrown(() => parseSpace(raw({ m: { kind: 'choice', branches: {} } })))).toMatchObject({ field: 'space.m.branches' })
    expect(
      thrown(() => parseSpace(raw({ m: { kind: 'choice', branches: { a: { x: { kind: 'float', low: 1, high: 0, log: false } } } } }))),
    ).toMatchObject({
      field: 'space.m.a.x',
    })
    expect(thrown(() => parseSpace(raw({ m: { kind: 'choice', branches: { a: {} }, when: 'x' } })))).toBeInstanceOf(UnknownOptionError)
    expect(thrown(() => parseSpace(raw({ m: { kind: 'choice', branches: { a: [] } } })))).toMatchObject({ field: 'space.m.a' })
    expect(
      thrown(() =>
        parseSpace(
          raw({ m: { kind: 'choice', branches: { a: { y: { kind: 'float', low: 0, high: 1, log: false, condition: { m: 'a' } } } } } }),
        ),
      ),
    ).toBeInstanceOf(UnknownOptionError)
  })
})

describe('assertCandidate on conditional spaces', () => {
  test('accepts a candidate with exactly the active parameters', () => {
    assertCandidate(models, { model: 'svm', c: 3, kernel: 'rbf', lr: 0.01 })
    assertCandidate(models, { model: 'rf', trees: 40, lr: 0.01 })
    assertCandidate(models, { model: 'mlp', layers: 2, opt: 'adam', lr: 0.01 })
    assertCandidate(models, { model: 'mlp', layers: 2, opt: 'sgd', momentum: 0.5, lr: 0.01 })
  })

  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a parameter of another branch',
      { model: 'rf', trees: 40, c: 3, lr: 0.01 },
      'candidate.c',
      /inactive: it exists only when model = svm/,
    ],
    [
      'a nested inactive parameter',
      { model: 'mlp', layers: 2, opt: 'adam', momentum: 0.5, lr: 0.01 },
      'candidate.momentum',
      /only when model = mlp and opt = sgd/,
    ],
    [
      'an unknown key',
      { model: 'rf', trees: 40, lr: 0.01, condition: { model: 'rf' } },
      'candidate.condition',
      /not a parameter of the space/,
    ],
    ['a missing active parameter', { model: 'svm', c: 3, lr: 0.01 }, 'candidate.kernel', /is missing/],
    ['an unknown branch', { model: 'knn', lr: 0.01 }, 'candidate.model', /"knn" is not one of the branches \(svm, rf, mlp\)/],
    ['a missing choice', { lr: 0.01 }, 'candidate.model', /is missing/],
  ])('refuses %s', (_what, candidate, field, message) => {
    const err = thrown(() => assertCandidate(models, candidate))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field })
    expect(err.message).toMatch(message)
  })

  test('flat spaces refuse unknown keys too (they were silently accepted)', () => {
    const flat = space({ x: float(0, 1) })
    expect(() => assertCandidate(flat, { x: 0.5, condition: 'y' })).toThrow(/candidate\.condition: is not a parameter/)
    expect(() => assertCandidate(flat, {})).toThrow(/candidate\.x: is missing/)
  })
})

describe('helpers for optimizers', () => {
  test('spaceEntries lists every parameter with its condition path', () => {
    const entries = [...spaceEntries(models)].map((e) => [e.name, e.when.map((s) => `${s.choice}=${s.branch}`).join(',')])
    expect(entries).toEqual([
      ['model', ''],
      ['c', 'model=svm'],
      ['kernel', 'model=svm'],
      ['trees', 'model=rf'],
      ['layers', 'model=mlp'],
      ['opt', 'model=mlp'],
      ['momentum', 'model=mlp,opt=sgd'],
      ['lr', ''],
    ])
  })

  test('activeParams and activeCandidate follow the branches taken', () => {
    expect(activeParams(models, { model: 'mlp', opt: 'sgd' })).toEqual(['model', 'layers', 'opt', 'momentum', 'lr'])
    expect(activeParams(models, { model: 'nope' })).toEqual(['model', 'lr'])
    expect(activeCandidate(models, { model: 'rf', trees: 3, c: 1, lr: 0.1 })).toEqual({ model: 'rf', trees: 3, lr: 0.1 })
  })

  test('flatParams gives every parameter a flat dimension; branch names in code-point order', () => {
    const flat = flatParams(models)
    expect(Object.keys(flat).sort()).toEqual(['c', 'kernel', 'layers', 'lr', 'model', 'momentum', 'opt', 'trees'])
    expect(flat.model).toEqual({ kind: 'categorical', choices: ['mlp', 'rf', 'svm'] })
    expect(branchNames(models.params.model)).toEqual(['mlp', 'rf', 'svm'])
  })

  test('spaceGroups decomposes the space into groups that always appear together', () => {
    const root = spaceGroups(models)
    expect(Object.keys(root.space?.params ?? {})).toEqual(['lr', 'model'])
    const names = (g: typeof root): unknown => ({
      when: g.when.map((s) => `${s.choice}=${s.branch}`),
      params: Object.keys(g.space?.params ?? {}),
      children: g.children.map(names),
    })
    expect(names(root)).toEqual({
      when: [],
      params: ['lr', 'model'],
      children: [
        {
          when: ['model=mlp'],
          params: ['layers', 'opt'],
          children: [
            { when: ['model=mlp', 'opt=adam'], params: [], children: [] },
            { when: ['model=mlp', 'opt=sgd'], params: ['momentum'], children: [] },
          ],
        },
        { when: ['model=rf'], params: ['trees'], children: [] },
        { when: ['model=svm'], params: ['c', 'kernel'], children: [] },
      ],
    })
  })
})

describe('the session driver and conditional spaces', () => {
  test('refuses a conditional space with an optimizer that does not declare conditionalSpace', async () => {
    const err = await startSession({ optimizer: uniform(), objective: () => 0, space: models, maxTrials: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'space' })
    expect((err as Error).message).toMatch(/optimizer test\/uniform needs a flat space .*capabilities\.conditionalSpace.*choice \(model\)/)
  })

  test('runs a conditional space with an optimizer that declares it', async () => {
    const sampler = uniformSampler()
    const optimizer = askTell({
      ...sampler,
      capabilities: { conditionalSpace: true },
      ask: (state, ctx) => ({ kind: 'candidate', state, candidate: { model: 'rf', trees: ctx.rng.int(10, 500), lr: 0.01 } }),
    })
    const handle = await startSession({ optimizer, objective: () => 1, space: models, maxTrials: 3 })
    const result = await handle.wait()
    expect(result.status).toBe('completed')
    expect(result.progress.completed).toBe(3)
  })
})
