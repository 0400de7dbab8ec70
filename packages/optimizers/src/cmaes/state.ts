import { CheckpointCorruptError } from '@cairn/core'
import { PREFIX, invalidInput } from '../common/errors.js'

/** The `stateVersion` of `cmaEs()`: bump when the byte layout below changes. */
export const CMAES_STATE_VERSION = 1

/** Member status: asked, not yet told. */
export const PENDING = 0
/** Member status: told with a finite score. */
export const OK = 1
/** Member status: told as failed (error or non-finite score). */
export const FAILED = 2
/** Member status: told with a finite score but violating a constraint; its `score` is the total violation. */
export const INFEASIBLE = 3

/** A generation id for asks that feed only the categorical model (random start-up, overflow beyond a full generation). */
export const UNTRACKED = -1

/** One asked trial the sampler still tracks: pending ones, and told ones of the generation being filled. */
export interface CmaMember {
  trialIdx: number
  /** The generation (global id) whose update uses this member, or `UNTRACKED`. */
  gen: number
  /** The generation whose distribution drew it; differs from `gen` for a member carried over to the next generation. */
  drawnGen: number
  /** `PENDING`, `OK`, `FAILED` or `INFEASIBLE`. */
  status: number
  /** The score to minimize (negated for `maximize` sessions) when `OK`; the total constraint violation when `INFEASIBLE`; else 0. */
  score: number
  /** The point in the unit cube of the numeric dimensions (before rounding ints). */
  x: Float64Array
  /** The chosen index of every categorical dimension. */
  cats: Int32Array
}

/** A good trial remembered for the categorical model. */
export interface CmaEliteEntry {
  score: number
  cats: Int32Array
}

/**
 * The state of `cmaEs()`. Bounded: matrices are `n × n`, `members` holds at most one
 * generation plus the trials in flight, `elite` at most `eliteSize` entries. History is never
 * copied into it. Serialized as little-endian float64 words (see `encodeCmaState`).
 */
export interface CmaEsState {
  /** Numeric dimensions (the CMA-ES dimension). */
  n: number
  /** Categorical dimensions. */
  nCat: number
  /** 1 to minimize, -1 to maximize. */
  sign: number
  /** Population size of the first run. */
  lambda0: number
  /** Population size of the current run (doubles at every IPOP restart, up to `maxPopsize`). */
  lambda: number
  restarts: number
  /** Global id of the generation being filled (never reset). */
  genId: number
  /** Updates done in the current run (CMA-ES's `g`). */
  runGen: number
  /** Candidates asked so far (the first `nStartupTrials` are random). */
  asks: number
  /** 1 when the termination criteria fired and the next ask starts a new run. */
  restartPending: number
  /** Initial step size of the current run. */
  sigma0: number
  sigma: number
  mean: Float64Array
  /** Covariance, row-major `n × n`. */
  C: Float64Array
  /** Eigenvectors of C (columns), row-major `n × n`. */
  B: Float64Array
  /** Square roots of the eigenvalues of C. */
  D: Float64Array
  /** Evolution path of the step size. */
  ps: Float64Array
  /** Evolution path of the covariance. */
  pc: Float64Array
  /** Best and worst score of the last `funhistTerm` generations (ring buffer). */
  funhist: Float64Array
  /** Candidates drawn for the generation being filled (mirrored sampling pairs draws 2k and 2k+1). */
  drawn: number
  /** The normal vector of the last draw, mirrored by the next one. */
  mirrorZ: Float64Array
  /** Best score of the current run (Infinity before its first update). */
  bestScore: number
  /** Where it was found, in the unit cube. */
  bestX: Float64Array
  members: CmaMember[]
  elite: CmaEliteEntry[]
}

const HEADER = 18
const NAME = 'cmaEs'

/** Encodes the state as little-endian float64 words; equal states give equal bytes. */
export function encodeCmaState(s: CmaEsState): Uint8Array {
  const { n, nCat } = s
  const words = HEADER + n * 6 + 2 * n * n + s.funhist.length + s.members.length * (5 + n + nCat) + s.elite.length * (1 + nCat)
  const bytes = new Uint8Array(words * 8)
  const view = new DataView(bytes.buffer)
  let at = 0
  const put = (v: number): void => {
    view.setFloat64(at, v, true)
    at += 8
  }
  const putAll = (xs: ArrayLike<number>): void => {
    for (let i = 0; i < xs.length; i++) put(xs[i] as number)
  }
  putAll([s.n, s.nCat, s.sign, s.lambda0, s.lambda, s.restarts, s.genId, s.runGen, s.asks, s.restartPending])
  putAll([s.sigma0, s.sigma, s.funhist.length, s.members.length, s.elite.length, s.drawn, s.bestScore, 0])
  putAll(s.mean)
  putAll(s.C)
  putAll(s.B)
  putAll(s.D)
  putAll(s.ps)
  putAll(s.pc)
  putAll(s.funhist)
  putAll(s.mirrorZ)
  putAll(s.bestX)
  for (const m of s.members) {
    putAll([m.trialIdx, m.gen, m.drawnGen, m.status, m.score])
    putAll(m.x)
    putAll(m.cats)
  }
  for (const e of s.elite) {
    put(e.score)
    putAll(e.cats)
  }
  return bytes
}

/**
 * Decodes `encodeCmaState`'s bytes. An unknown `version` is an `InvalidInputError`; bytes of
 * the wrong shape a `CheckpointCorruptError`.
 */
export function decodeCmaState(bytes: Uint8Array, version: number): CmaEsState {
  if (version !== CMAES_STATE_VERSION) throw invalidInput(NAME, `unknown state version ${String(version)}, expected ${CMAES_STATE_VERSION}`)
  const corrupt = (detail: string): CheckpointCorruptError => new CheckpointCorruptError(`${PREFIX} ${NAME} state`, detail)
  if (!(bytes instanceof Uint8Array) || bytes.byteLength % 8 !== 0 || bytes.byteLength < HEADER * 8)
    throw corrupt('length is not a whole number of float64 words')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const total = bytes.byteLength / 8
  let at = 0
  const get = (): number => {
    if (at >= total) throw corrupt('truncated')
    const v = view.getFloat64(at * 8, true)
    at++
    return v
  }
  const count = (what: string, max: number): number => {
    const v = get()
    if (!Number.isSafeInteger(v) || v < 0 || v > max) throw corrupt(`bad ${what} ${v}`)
    return v
  }
  const vec = (len: number): Float64Array => {
    const out = new Float64Array(len)
    for (let i = 0; i < len; i++) out[i] = get()
    return out
  }
  const ints = (len: number): Int32Array => {
    const out = new Int32Array(len)
    for (let i = 0; i < len; i++) {
      const v = get()
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw corrupt(`bad category index ${v}`)
      out[i] = v
    }
    return out
  }
  const n = count('dimension', 10_000)
  const nCat = count('categorical count', 10_000)
  const sign = get()
  if (sign !== 1 && sign !== -1) throw corrupt(`bad direction sign ${sign}`)
  const lambda0 = count('popsize', 2 ** 31)
  const lambda = count('popsize', 2 ** 31)
  const restarts = count('restart count', Number.MAX_SAFE_INTEGER)
  const genId = count('generation', Number.MAX_SAFE_INTEGER)
  const runGen = count('generation', Number.MAX_SAFE_INTEGER)
  const asks = count('ask count', Number.MAX_SAFE_INTEGER)
  const restartPending = count('restart flag', 1)
  const sigma0 = get()
  const sigma = get()
  const funhistLen = count('history length', total)
  const nMembers = count('member count', total)
  const nElite = count('elite count', total)
  const drawn = count('draw count', Number.MAX_SAFE_INTEGER)
  const bestScore = get()
  get()
  if (lambda0 < 2 || lambda < 2) throw corrupt('popsize below 2')
  if (!(sigma0 > 0) || !(sigma > 0)) throw corrupt('non-positive step size')
  const expected = HEADER + n * 6 + 2 * n * n + funhistLen + nMembers * (5 + n + nCat) + nElite * (1 + nCat)
  if (expected !== total) throw corrupt(`expected ${expected} words, found ${total}`)
  const mean = vec(n)
  const C = vec(n * n)
  const B = vec(n * n)
  const D = vec(n)
  const ps = vec(n)
  const pc = vec(n)
  const funhist = vec(funhistLen)
  const mirrorZ = vec(n)
  const bestX = vec(n)
  const members: CmaMember[] = []
  for (let i = 0; i < nMembers; i++) {
    const trialIdx = get()
    const gen = get()
    const drawnGen = get()
    const status = get()
    const score = get()
    if (!Number.isSafeInteger(trialIdx) || !Number.isSafeInteger(gen) || !Number.isSafeInteger(drawnGen)) throw corrupt('bad member index')
    if (status !== PENDING && status !== OK && status !== FAILED && status !== INFEASIBLE) throw corrupt(`bad member status ${status}`)
    members.push({ trialIdx, gen, drawnGen, status, score, x: vec(n), cats: ints(nCat) })
  }
  const elite: CmaEliteEntry[] = []
  for (let i = 0; i < nElite; i++) elite.push({ score: get(), cats: ints(nCat) })
  return {
    n,
    nCat,
    sign,
    lambda0,
    lambda,
    restarts,
    genId,
    runGen,
    asks,
    restartPending,
    sigma0,
    sigma,
    mean,
    C,
    B,
    D,
    ps,
    pc,
    funhist,
    drawn,
    mirrorZ,
    bestScore,
    bestX,
    members,
    elite,
  }
}
