import { h } from '../dom.js'
import { formatAgo, formatDuration, formatNumber, formatTime } from '../model/format.js'
import type { SessionModel } from '../model/session-model.js'

/** The cards under the title: status, trials, errors, pruned (when the session has a pruner or pruned trials), best score, elapsed, last update. */
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
      ['best score', p.bestScore === null ? '—' : `${formatNumber(p.bestScore)}${p.bestTrialIdx !== null ? ` (#${p.bestTrialIdx})` : ''}`],
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
