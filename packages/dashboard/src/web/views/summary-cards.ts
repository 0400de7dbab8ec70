import { h } from '../dom.js'
import { formatAgo, formatDuration, formatNumber, formatTime } from '../model/format.js'
import type { SessionModel } from '../model/session-model.js'
import { paretoOf } from './pareto-view.js'

/** The best score, or on a multi-objective session the size of its Pareto front. */
function bestCard(model: SessionModel): [string, string] {
  const front = paretoOf(model)
  if (front) return ['Pareto front', `${front.front.length} ${front.front.length === 1 ? 'trial' : 'trials'}`]
  const p = model.session.progress
  return [
    'best score',
    p.bestScore === null ? '—' : `${formatNumber(p.bestScore)}${p.bestTrialIdx !== null ? ` (#${p.bestTrialIdx})` : ''}`,
  ]
}

/** The cards under the title: status, trials, errors, pruned (when the session has a pruner or pruned trials), best score (or the Pareto front's size), elapsed, last update. */
export function summaryCards(model: SessionModel): { root: HTMLElement; update(): void } {
  const root = h('div', { class: 'cards' })
  function update(): void {
    const s = model.session
    const p = s.progress
    const items: Array<[string, string, string?]> = [
      ['status', s.status + (s.terminalReason ? ` (${s.terminalReason})` : '')],
      ['trials', `${p.attempts}${s.limits.maxTrials !== null ? ` / ${s.limits.maxTrials}` : ''}`],
      ['errors', String(p.errors)],
      ...(p.pruned || s.pruner ? [['pruned', String(p.pruned ?? 0)] as [string, string]] : []),
      bestCard(model),
      ['elapsed', formatDuration(s.updatedAt - p.startedAt)],
      ['updated', formatAgo(s.updatedAt, model.live ? Date.now() : model.readAt), formatTime(s.updatedAt)],
    ]
    root.replaceChildren(
      ...items.map(([k, v, title]) =>
        h('div', { class: 'card', 'data-card': k, title: title ?? null }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v)),
      ),
    )
  }
  update()
  return { root, update }
}
