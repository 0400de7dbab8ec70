import { InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import type { Evaluation } from '../optimizer/contract.js'
import { attrsProblem, copyJson } from './objective-result.js'

/** The attributes a trial's objective set with `ctx.setAttr`, merged into its evaluation at the end. */
export class TrialAttrs {
  private readonly set_: Record<string, Json> = {}
  private any = false

  /** `ctx.setAttr(key, value)`: throws `InvalidInputError` for an empty key or a value that is not JSON. */
  set(key: string, value: Json): void {
    if (typeof key !== 'string' || key.length === 0) throw new InvalidInputError('must be a non-empty string', 'setAttr.key')
    const problem = attrsProblem({ [key]: value })
    if (problem !== null) throw new InvalidInputError(`must be JSON (attribute "${key}")`, 'setAttr.value')
    this.set_[key] = copyJson(value)
    this.any = true
  }

  /** `evaluation` with the attributes set, under those it returned (returned ones win). */
  mergeInto(evaluation: Evaluation): Evaluation {
    if (!this.any) return evaluation
    evaluation.attrs = { ...this.set_, ...(evaluation.attrs ?? {}) }
    return evaluation
  }
}
