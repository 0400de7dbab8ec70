/**
 * Shared sampling helpers for the optimizers of this package (internal; not re-exported by
 * `src/index.ts`). Import from `../space-math/index.js`.
 *
 * - `compileSpace(space)` → `{ dims, numeric, categorical }`, cached per space object.
 *   Dimensions are ordered by NAME (code-point order), never by declaration order: a space
 *   read back from a store may have its keys reordered, and a resumed session must draw the
 *   same numbers in the same order.
 * - Three coordinate systems for a numeric dim (`NumericDim`):
 *   value (what candidates hold) ↔ internal (`ln v` for log dims, `v` otherwise; bounds
 *   `[dim.lo, dim.hi]`, widened by half a step for ints and stepped floats, like Optuna's
 *   `transform_step`) ↔ unit `[0, 1]` (affine image of `[lo, hi]`).
 *   `toInternal(dim, v)` (NaN for a non-number), `fromInternal(dim, x)` (exp, round to the
 *   step / nearest integer, clamp to `[low, top]`; any finite x gives a valid value).
 *   `dim.step` is `param.step`, 1 for ints, undefined for continuous floats; `dim.count` the
 *   number of distinct values (Infinity when continuous); `dim.top` the largest reachable
 *   value (`low + k·step ≤ high`).
 * - Categoricals (`CategoricalDim`): choices matched by JSON text; `categoryIndex(dim, v)`
 *   (-1 when absent). In the unit cube choice `i` of `n` sits at `(i + 0.5) / n` and
 *   decodes by `floor(u · n)`.
 * - `encodeUnit(space, candidate)` → Float64Array in `dims` order (NaN for a missing or
 *   invalid value); `decodeUnit(space, u)` → a valid candidate (u clamped to [0, 1]).
 * - `sampleUniform(space, rng)`: uniform in internal space (log-uniform for log dims, every
 *   int / step value equally likely), categoricals uniform; one rng draw per dimension.
 * - `cleanNumber(v)` drops float noise (`0.30000000000000004` → `0.3`), `clamp(v, lo, hi)`.
 *
 * Also shared, in `../common/`: `requireSpace(name, ctx)`, `invalidInput(name, msg)`
 * (`[@cairn/optimizers]`-prefixed `InvalidInputError`), `OptionReader` (option validation)
 * and `jsonStateCodec(name, version, check)` (versioned JSON state).
 */
export { compileSpace, compareNames, cleanNumber } from './dims.js'
export type { CompiledSpace, Dim, NumericDim, CategoricalDim } from './dims.js'
export { clamp, toInternal, fromInternal, categoryIndex, encodeUnit, decodeUnit } from './transform.js'
export { sampleUniform } from './sample.js'
