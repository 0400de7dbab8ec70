import type { TrialRecord } from '@cairn/core'
import { formatNumber } from '../model/format.js'
import { categoryLabel, paramValue, type ParamInfo } from '../model/params.js'
import { esc } from './style.js'

const MAX_PARAMS = 8

/** The tooltip of one trial: index, status, score, parameters, error. */
export function trialTooltip(t: TrialRecord, params: readonly ParamInfo[], bestIdx: number | null): string {
  const lines = [`<b>trial ${t.trialIdx}</b>${t.trialIdx === bestIdx ? ' (best)' : ''} · ${esc(t.status)}`]
  if (typeof t.score === 'number') lines.push(`score <b>${esc(formatNumber(t.score))}</b>`)
  for (const p of params.slice(0, MAX_PARAMS)) {
    const v = paramValue(t.candidate, p.name)
    if (v === undefined) continue
    lines.push(`${esc(p.name)} = ${esc(typeof v === 'number' ? formatNumber(v) : categoryLabel(v))}`)
  }
  if (params.length > MAX_PARAMS) lines.push(`… ${params.length - MAX_PARAMS} more`)
  if (t.error) lines.push(`<span class="tt-error">${esc(t.errorClass ?? t.error.name)}: ${esc(t.error.message.slice(0, 200))}</span>`)
  return lines.join('<br>')
}
