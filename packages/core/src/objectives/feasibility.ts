/**
 * The total constraint violation of a trial: the sum of its positive constraint values (each
 * constraint ≤ 0 is satisfied). 0 for a trial without constraints, which counts as feasible.
 */
export function violation(constraints: readonly number[] | undefined): number {
  if (constraints === undefined) return 0
  let total = 0
  for (const c of constraints) if (c > 0) total += c
  return total
}

/** True when every constraint is satisfied (≤ 0); a trial without constraints is feasible. */
export function isFeasible(constraints: readonly number[] | undefined): boolean {
  return violation(constraints) === 0
}
