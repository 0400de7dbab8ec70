import type { Json } from '../json.js'
import { type ChoiceParam, type SpaceParam, isChoice } from './choice.js'
import { categorical, type CategoricalParam, type Param } from './params.js'
import type { SearchSpace } from './space.js'

/** One step of a condition path: the parameter is active when choice `choice` takes branch `branch`. */
export interface ConditionStep {
  readonly choice: string
  readonly branch: string
}

/** One parameter of a space with the branches that must be taken for it to be active. */
export interface SpaceEntry {
  readonly name: string
  readonly param: SpaceParam
  /** Outermost first; empty for a top-level parameter (always active). */
  readonly when: readonly ConditionStep[]
}

/**
 * A part of a conditional space whose parameters always appear together (Optuna's group
 * decomposition): the top-level parameters, or those of one branch. `space` is flat: each
 * `choice` of the group appears as a `categorical` of its branch names.
 */
export interface SpaceGroup {
  /** The branches taken to reach this group (empty for the top-level group). */
  readonly when: readonly ConditionStep[]
  /** The group's parameters as a flat space; undefined when the group has none (an empty branch). */
  readonly space: SearchSpace<Record<string, Param>> | undefined
  /** Groups nested in this one: for each choice of the group (name order), its branches' groups (`branchNames` order). */
  readonly children: readonly SpaceGroup[]
}

/** True when `space` has at least one `choice` dimension. */
export function isConditional(space: SearchSpace): boolean {
  return Object.values(space.params).some((p) => isChoice(p))
}

/**
 * Every parameter of `space`, nested ones included, with its condition path: top-level
 * parameters first in declaration order, each choice followed by its branches' parameters
 * (depth first). Parameter names are unique across a space, so `name` identifies an entry.
 */
export function* spaceEntries(space: SearchSpace): Generator<SpaceEntry> {
  yield* entriesOf(space.params, [])
}

function* entriesOf(params: Record<string, SpaceParam>, when: readonly ConditionStep[]): Generator<SpaceEntry> {
  for (const [name, param] of Object.entries(params)) {
    yield { name, param, when }
    if (!isChoice(param)) continue
    for (const [branch, sub] of Object.entries(param.branches)) yield* entriesOf(sub, [...when, { choice: name, branch }])
  }
}

/**
 * The names of the parameters active in `candidate`: the top-level ones, and those of each
 * branch the candidate's choices take (recursively). A choice whose value is not one of its
 * branch names activates nothing below it.
 */
export function activeParams(space: SearchSpace, candidate: Json | Record<string, unknown>): string[] {
  const c = candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate) ? (candidate as Record<string, unknown>) : {}
  const out: string[] = []
  const walk = (params: Record<string, SpaceParam>): void => {
    for (const [name, p] of Object.entries(params)) {
      out.push(name)
      if (!isChoice(p)) continue
      const v = c[name]
      if (typeof v === 'string' && Object.hasOwn(p.branches, v)) walk(p.branches[v] as Record<string, SpaceParam>)
    }
  }
  walk(space.params)
  return out
}

/** `candidate` reduced to its active parameters (see `activeParams`), keys in the candidate's order. */
export function activeCandidate(space: SearchSpace, candidate: Record<string, Json>): Record<string, Json> {
  const active = new Set(activeParams(space, candidate))
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(candidate)) if (active.has(k)) out[k] = v
  return out
}

/**
 * The flat form of every parameter: a `choice` becomes a `categorical` of its branch names
 * (in code-point order, so a space whose keys a store reordered gives the same dimension); the
 * others are kept. Includes nested parameters, so a conditional
 * space's every parameter has a dimension here; pair with `activeParams` to drop inactive ones.
 */
export function flatParams(space: SearchSpace): Record<string, Param> {
  const out: Record<string, Param> = {}
  for (const e of spaceEntries(space)) out[e.name] = flatParam(e.param)
  return out
}

function flatParam(p: SpaceParam): Param {
  return isChoice(p) ? (categorical(branchNames(p)) as CategoricalParam) : p
}

/**
 * The group decomposition of `space` (see `SpaceGroup`): the top-level group, whose children
 * are the groups of its choices' branches, and so on. A flat space is one group with no children.
 */
export function spaceGroups(space: SearchSpace): SpaceGroup {
  return groupOf(space.params, [])
}

function groupOf(params: Record<string, SpaceParam>, when: readonly ConditionStep[]): SpaceGroup {
  const names = Object.keys(params)
  const flat: Record<string, Param> = {}
  const children: SpaceGroup[] = []
  for (const name of [...names].sort(codePointOrder)) {
    const p = params[name] as SpaceParam
    flat[name] = flatParam(p)
    if (!isChoice(p)) continue
    for (const branch of branchNames(p))
      children.push(groupOf(p.branches[branch] as Record<string, SpaceParam>, [...when, { choice: name, branch }]))
  }
  return { when, space: names.length > 0 ? { version: 1, params: flat } : undefined, children }
}

/** The branch names of a choice in code-point order (the order optimizers use: stable across a store round-trip). */
export function branchNames(p: ChoiceParam): string[] {
  return Object.keys(p.branches).sort(codePointOrder)
}

function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** True when `candidate` takes every branch of `when` (so the group or parameter it guards is active). */
export function takesBranches(candidate: Json | Record<string, unknown>, when: readonly ConditionStep[]): boolean {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return when.length === 0
  const c = candidate as Record<string, unknown>
  return when.every((s) => c[s.choice] === s.branch)
}
