import type { TrialRecord } from '@cairn/core'
import { esc, px } from './escape.js'
import { categoryLabel, paramValue, type ReportModel, type ReportParam } from './model.js'
import { bandScale, extent, formatNumber, linearScale, logScale, type Scale } from './scale.js'

interface Frame {
  width: number
  height: number
  left: number
  right: number
  top: number
  bottom: number
}

const HISTORY: Frame = { width: 960, height: 360, left: 64, right: 20, top: 40, bottom: 46 }
const PARAM: Frame = { width: 320, height: 240, left: 56, right: 14, top: 14, bottom: 52 }

function isOk(t: TrialRecord): t is TrialRecord & { score: number } {
  return t.status === 'ok' && typeof t.score === 'number' && Number.isFinite(t.score)
}

/** Points fade from light (early trials) to dark (late ones). */
function colorOf(trialIdx: number, total: number): string {
  const f = total <= 1 ? 1 : trialIdx / (total - 1)
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * f)
  return `rgb(${mix(158, 8)},${mix(202, 69)},${mix(225, 148)})`
}

function scoreScale(model: ReportModel, frame: Frame): Scale | null {
  const range = extent(model.trials.filter(isOk).map((t) => t.score))
  if (!range) return null
  const pad = (range[1] - range[0]) * 0.06 || Math.abs(range[0]) * 0.05 || 1
  return linearScale(range[0] - pad, range[1] + pad, frame.height - frame.bottom, frame.top, 5)
}

function axes(frame: Frame, x: Scale, y: Scale, xTitle: string, yTitle: string, rotateX = false): string {
  const x0 = frame.left
  const x1 = frame.width - frame.right
  const y0 = frame.height - frame.bottom
  const y1 = frame.top
  const parts: string[] = [`<g class="grid">`]
  for (const t of y.ticks) parts.push(`<line x1="${x0}" x2="${x1}" y1="${px(y.map(t.value))}" y2="${px(y.map(t.value))}"/>`)
  for (const t of x.ticks) parts.push(`<line y1="${y0}" y2="${y1}" x1="${px(x.map(t.value))}" x2="${px(x.map(t.value))}"/>`)
  parts.push('</g><g class="axis">')
  parts.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}"/>`)
  for (const t of y.ticks)
    parts.push(`<text class="tick" x="${x0 - 6}" y="${px(y.map(t.value) + 4)}" text-anchor="end">${esc(t.label)}</text>`)
  for (const t of x.ticks) {
    const tx = px(x.map(t.value))
    const label = t.label.length > 14 ? `${t.label.slice(0, 13)}…` : t.label
    parts.push(
      rotateX
        ? `<text class="tick" x="${tx}" y="${y0 + 14}" text-anchor="end" transform="rotate(-30 ${tx} ${y0 + 14})">${esc(label)}</text>`
        : `<text class="tick" x="${tx}" y="${y0 + 16}" text-anchor="middle">${esc(label)}</text>`,
    )
  }
  parts.push(`<text class="title" x="${px((x0 + x1) / 2)}" y="${frame.height - 6}" text-anchor="middle">${esc(xTitle)}</text>`)
  parts.push(`<text class="title" transform="translate(14 ${px((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${esc(yTitle)}</text>`)
  parts.push('</g>')
  return parts.join('')
}

function empty(frame: Frame, cls: string, label: string, message: string): string {
  return (
    `<svg class="chart ${cls}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${esc(label)}">` +
    `<text class="empty" x="${frame.width / 2}" y="${frame.height / 2}" text-anchor="middle">${esc(message)}</text></svg>`
  )
}

/**
 * The optimization history: every successful trial's score against its index (circles
 * `.trial-point`), failed trials as crosses on the axis (`.error-point`), and the best score so
 * far as a step line (`path.best-line`).
 */
export function historyChart(model: ReportModel): string {
  const f = HISTORY
  const label = 'Optimization history'
  const y = scoreScale(model, f)
  if (!y) return empty(f, 'history', label, model.trials.length === 0 ? 'no trials yet' : 'no successful trials yet')
  const n = model.trials.length
  const xs = linearScale(0, Math.max(1, n - 1), f.left + 8, f.width - f.right - 8, 10)
  const x: Scale = { map: xs.map, ticks: xs.ticks.filter((t) => Number.isInteger(t.value)) }
  const out: string[] = [`<svg class="chart history" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${label}">`]
  out.push(axes(f, x, y, 'trial', `score (${model.direction === 'maximize' ? 'higher' : 'lower'} is better)`))

  let d = ''
  model.bestSoFar.forEach((b, i) => {
    if (b === null) return
    d += d === '' ? `M${px(x.map(i))} ${px(y.map(b))}` : `H${px(x.map(i))}V${px(y.map(b))}`
  })
  if (d !== '') out.push(`<path class="best-line" d="${d}H${px(x.map(n - 1))}"/>`)

  out.push('<g class="points">')
  const bestIdx = model.head.progress.bestTrialIdx
  for (const t of model.trials) {
    const cx = px(x.map(t.trialIdx))
    if (isOk(t)) {
      const best = t.trialIdx === bestIdx ? ' best' : ''
      out.push(
        `<circle class="trial-point${best}" cx="${cx}" cy="${px(y.map(t.score))}" r="${best ? 6 : 4}" fill="${colorOf(t.trialIdx, n)}">` +
          `<title>trial ${t.trialIdx}: ${esc(formatNumber(t.score))}${best ? ' (best)' : ''}</title></circle>`,
      )
    } else {
      const cy = f.height - f.bottom - 7
      out.push(
        `<path class="error-point" d="M${cx} ${cy}m-4 -4l8 8m0 -8l-8 8">` +
          `<title>trial ${t.trialIdx}: ${esc(t.errorClass ?? 'error')}${t.error ? ` — ${esc(t.error.message)}` : ''}</title></path>`,
      )
    }
  }
  out.push('</g>')
  out.push(
    `<g class="legend" transform="translate(${f.width - f.right - 244} 4)">` +
      `<rect width="244" height="22" rx="4"/>` +
      `<circle cx="14" cy="11" r="4" fill="${colorOf(n - 1, n)}"/><text x="24" y="15">trial</text>` +
      `<path class="best-line" d="M64 11h22"/><text x="92" y="15">best so far</text>` +
      `<path class="error-point" d="M182 7l8 8m0 -8l-8 8"/><text x="196" y="15">error</text></g>`,
  )
  out.push('</svg>')
  return out.join('')
}

/**
 * One dimension against the score: a circle `.param-point` per successful trial that has a value
 * for it (numeric dimensions on a linear or log axis, categorical ones in bands, jittered).
 */
export function paramChart(model: ReportModel, param: ReportParam): string {
  const f = PARAM
  const label = `${param.name} against score`
  const y = scoreScale(model, f)
  if (!y) return empty(f, 'param', label, 'no successful trials yet')
  const x0 = f.left + 10
  const x1 = f.width - f.right - 10
  const ok = model.trials.filter(isOk)
  const n = model.trials.length
  const bestIdx = model.head.progress.bestTrialIdx
  let x: Scale
  let position: (t: TrialRecord) => number | null
  if (param.kind === 'categorical') {
    x = bandScale(param.choices, x0, x1)
    const band = (x1 - x0) / Math.max(1, param.choices.length)
    position = (t) => {
      const i = param.choices.indexOf(categoryLabel(paramValue(t.candidate, param.name)))
      if (i < 0) return null
      const jitter = (((t.trialIdx * 0.6180339887) % 1) - 0.5) * Math.min(band * 0.5, 40)
      return x.map(i) + jitter
    }
  } else {
    const values = ok.map((t) => paramValue(t.candidate, param.name)).filter((v): v is number => typeof v === 'number')
    const lo = Math.min(param.low, ...values)
    const hi = Math.max(param.high, ...values)
    x = param.log && lo > 0 ? logScale(lo, hi, x0, x1) : linearScale(lo, hi, x0, x1, 4)
    position = (t) => {
      const v = paramValue(t.candidate, param.name)
      return typeof v === 'number' && Number.isFinite(v) && (!param.log || v > 0) ? x.map(v) : null
    }
  }
  const out: string[] = [
    `<svg class="chart param" data-param="${esc(param.name)}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${esc(label)}">`,
  ]
  out.push(axes(f, x, y, `${param.name}${param.kind === 'numeric' && param.log ? ' (log)' : ''}`, 'score', param.kind === 'categorical'))
  out.push('<g class="points">')
  for (const t of ok) {
    const cx = position(t)
    if (cx === null) continue
    const best = t.trialIdx === bestIdx ? ' best' : ''
    const v = paramValue(t.candidate, param.name)
    out.push(
      `<circle class="param-point${best}" cx="${px(cx)}" cy="${px(y.map(t.score))}" r="${best ? 5.5 : 3.5}" fill="${colorOf(t.trialIdx, n)}">` +
        `<title>trial ${t.trialIdx}: ${esc(param.name)} = ${esc(typeof v === 'number' ? formatNumber(v) : categoryLabel(v))}, score ${esc(formatNumber(t.score))}</title></circle>`,
    )
  }
  out.push('</g></svg>')
  return out.join('')
}
