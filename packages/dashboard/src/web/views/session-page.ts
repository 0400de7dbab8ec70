import { renderTimings } from '../charts/timings.js'
import type { DataSource } from '../data/source.js'
import { h } from '../dom.js'
import { formatTime } from '../model/format.js'
import { SessionModel, type ModelChange } from '../model/session-model.js'
import { contourView } from './contour-view.js'
import { controls } from './controls.js'
import { headView } from './head-view.js'
import { historyView } from './history-view.js'
import { importanceView } from './importance-view.js'
import { parallelView } from './parallel-view.js'
import { slicesView } from './slices-view.js'
import { summaryCards } from './summary-cards.js'
import { trialTable } from './trial-table.js'
import { ScoreScale, type View } from './view.js'

/**
 * The session page: title and controls, summary cards, the optimization history, slices,
 * parallel coordinates, contour, importance, the trial table and the head. On a live page it
 * follows the session's event stream (and catches up on the trials it missed whenever the
 * stream opens); changes are drawn once per animation frame.
 */
export async function sessionPage(
  root: HTMLElement,
  source: DataSource,
  sessionId: string,
  sessionsHref: string | null,
): Promise<() => void> {
  const model = new SessionModel(await source.loadSession(sessionId))
  const s = model.session
  const statusBadge = h('span', { class: `status status-${s.status}` }, s.status)
  const liveBadge = h(
    'span',
    { class: 'live', 'data-state': model.live ? 'connecting' : 'static' },
    model.live ? 'connecting…' : `report of ${formatTime(model.readAt)}`,
  )
  const ctl = source.control ? controls(model, (action) => (source.control as NonNullable<DataSource['control']>)(sessionId, action)) : null
  const cards = summaryCards(model)
  const subtitle = h('p', { class: 'sub' })
  const header = h(
    'header',
    { class: 'page-header' },
    sessionsHref ? h('a', { href: sessionsHref, class: 'back', 'data-nav': '' }, '← sessions') : null,
    h('h1', {}, 'Session ', h('code', {}, s.name ?? s.sessionId), ' ', statusBadge, ' ', liveBadge),
    subtitle,
    ctl?.root,
  )
  const scale = new ScoreScale()
  const contour = contourView(model)
  const views: View[] = [
    historyView(model, scale),
    slicesView(model, scale),
    parallelView(model, scale),
    contour,
    importanceView(model, (names) => contour.suggest(names)),
    trialTable(model),
    headView(model),
  ]
  const main = h('main', { class: 'session-page' }, header, cards.root, ...views.map((v) => v.root))
  function headerText(): void {
    const m = model.session
    statusBadge.className = `status status-${m.status}`
    statusBadge.textContent = model.deleted ? 'deleted' : m.status
    subtitle.textContent = [m.job ? `job ${m.job}` : null, m.optimizer.id, m.direction, m.name ? `id ${m.sessionId}` : null]
      .filter(Boolean)
      .join(' · ')
    document.title = `${m.name ?? m.sessionId} — Cairn`
  }
  headerText()
  root.replaceChildren(main)
  performance.mark('cairn:first-paint')
  renderTimings.settle()

  const pending: ModelChange = { appended: 0, session: false, deleted: false }
  let frame = 0
  const offModel = model.onChange((change) => {
    pending.appended += change.appended
    pending.session ||= change.session
    pending.deleted ||= change.deleted
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      const c = { ...pending }
      pending.appended = 0
      pending.session = false
      pending.deleted = false
      headerText()
      cards.update()
      ctl?.update()
      for (const v of views) v.update(c)
      if (c.appended > 0) performance.mark('cairn:update')
    })
  })
  const unsubscribe = source.subscribe(
    sessionId,
    () => model.nextTrialIdx,
    (event) => model.apply(event),
    (state) => {
      liveBadge.dataset['state'] = state
      liveBadge.textContent = state === 'open' ? 'live' : 'reconnecting…'
      if (state === 'open')
        void source.trialsFrom(sessionId, model.nextTrialIdx).then(
          (t) => model.addTrials(t),
          () => {},
        )
    },
  )
  return () => {
    unsubscribe()
    offModel()
    if (frame) cancelAnimationFrame(frame)
    for (const v of views) v.dispose()
  }
}
