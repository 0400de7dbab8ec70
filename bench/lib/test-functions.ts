/**
 * Test functions shared by the optimizer and pruning benchmarks (their Python twins are in
 * bench/optuna/test_functions.py: same constants, same order of operations).
 */

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
]
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]

/** Hartmann-6 at `x` (6 coordinates in [0, 1]); its minimum is −3.32237. */
export function hartmann6(x: readonly number[]): number {
  let total = 0
  for (let i = 0; i < 4; i++) {
    let inner = 0
    for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * (x[j]! - H6_P[i]![j]!) ** 2
    total += H6_ALPHA[i]! * Math.exp(-inner)
  }
  return -total
}
