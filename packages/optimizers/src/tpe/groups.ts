import { spaceGroups, takesBranches, type AskContext, type Json, type SearchSpace, type SpaceGroup } from '@cairn/core'

const groupsCache = new WeakMap<SearchSpace, SpaceGroup>()

/**
 * TPE on a conditional space, by Optuna's group decomposition (`TPESampler(group=True)`):
 * parameters that always appear together (the top level, or one branch of a `choice`) form a
 * group, modelled on its own from the trials where the group was active. The top-level group
 * is sampled first (its choices as categoricals of their branch names), then, for each branch
 * the candidate takes (choices in name order, recursively), that branch's group. Each group is
 * a flat space handed to `flatAsk` with the history and pending trials filtered to those that
 * took the group's branches, so within a group TPE is exactly the flat sampler: univariate
 * (each dimension on its own) by default, joint (multivariate) with `multivariate: true`.
 * Startup (`nStartupTrials`) counts the whole history, as Optuna does; after it, a group is
 * modelled from however few trials took its branches (its prior weighs in), and sampled
 * uniformly only while none did.
 */
export function suggestConditional(
  space: SearchSpace,
  ctx: AskContext,
  flatAsk: (sub: AskContext) => Record<string, Json>,
): Record<string, Json> {
  let root = groupsCache.get(space)
  if (!root) groupsCache.set(space, (root = spaceGroups(space)))
  const out: Record<string, Json> = {}
  const visit = (group: SpaceGroup): void => {
    if (group.space) {
      const history = group.when.length === 0 ? ctx.history : ctx.history.filter((t) => takesBranches(t.candidate, group.when))
      const pending = group.when.length === 0 ? ctx.pending : ctx.pending.filter((p) => takesBranches(p.candidate, group.when))
      Object.assign(out, flatAsk({ ...ctx, space: group.space, history, pending }))
    }
    for (const child of group.children) if (takesBranches(out, child.when)) visit(child)
  }
  visit(root)
  const sorted: Record<string, Json> = {}
  for (const k of Object.keys(out).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) sorted[k] = out[k] as Json
  return sorted
}
