import { whenECharts } from '../charts/echarts.js'
import { holdDrawsUntil } from '../charts/queue.js'
import { renderTimings } from '../charts/timings.js'
import type { DataSource } from '../data/source.js'
import { h } from '../dom.js'
import { formatTime } from '../model/format.js'
import { SessionModel, type ModelChange } from '../model/session-model.js'
import { contourView } from './contour-view.js'
import { controls } from './controls.js'
import { curvesView } from './curves-view.js'
import { headView, prunerText } from './head-view.js'
import { historyView } from './history-view.js'
import { importanceView } from './importance-view.js'
import { parallelView } from './parallel-view.js'
import { paretoView } from './pareto-view.js'
import { slicesView } from './slices-view.js'
import { summaryCards } from './summary-cards.js'
import { trialTable } from './trial-table.js'
import { ScoreScale, type View } from './view.js'

/** While trials stream in, the slices, learning curves, parallel coordinates, contour and importance redraw at most this often. */
const ALL_CHARTS_EVERY_MS = 2000

/**
 * The session page: title and controls, summary cards, the Pareto front (multi-objective
 * sessions), the optimization history, slices,
 * learning curves (when trials reported intermediate values), parallel coordinates, contour, importance, the trial table and the head. On a live page it
 * follows the session's event stream (and catches up on the trials it missed whenever the
 * stream opens): the history, table and head follow every animation frame with changes, the
 * other charts every 2 s at most (each redraws all its points).
 */
export async function sessionPage(
  root: HTMLElement,
  source: DataSource,
  sessionId: string,
  sessionsHref: string | null,
): Promise<() => void> {
  // The charting library loads (and compiles) while the session does; nothing draws before it is there.
  holdDrawsUntil(whenECharts())
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
  const history = historyView(model, scale)
  // Only multi-objective sessions have the view (their directions never change).
  const pareto = (s.directions?.length ?? 0) > 1 ? [paretoView(model)] : []
  const slices = slicesView(model, scale)
  const curves = curvesView(model)
  const parallel = parallelView(model, scale)
  const importance = importanceView(model, (names) => contour.suggest(names))
  const table = trialTable(model)
  const head = headView(model)
  const views: View[] = [...pareto, history, slices, curves, parallel, contour, importance, table, head]
  // Followed on every frame with changes; the others redraw every ALL_CHARTS_EVERY_MS at most.
  const every = new Set<View>([history, table, head])
  const main = h('main', { class: 'session-page' }, header, cards.root, ...views.map((v) => v.root))
  function headerText(): void {
    const m = model.session
    statusBadge.className = `status status-${m.status}`
    statusBadge.textContent = model.deleted ? 'deleted' : m.status
    subtitle.textContent = [
      m.job ? `job ${m.job}` : null,
      m.optimizer.id,
      m.pruner ? `pruner ${prunerText(m.pruner)}` : null,
      m.directions ? m.directions.join(' × ') : m.direction,
      m.name ? `id ${m.sessionId}` : null,
    ]
      .filter(Boolean)
      .join(' · ')
    document.title = `${m.name ?? m.sessionId} — Cairn`
  }
  headerText()
  root.replaceChildren(main)
  performance.mark('cairn:first-paint')
  renderTimings.settle()

  const pending: ModelChange = { appended: 0, session: false, deleted: false }
  const slowPending: ModelChange = { appended: 0, session: false, deleted: false }
  let frame = 0
  let slowTimer: ReturnType<typeof setTimeout> | null = null
  let slowAt = 0
  const merge = (into: ModelChange, c: ModelChange): void => {
    into.appended += c.appended
    into.session ||= c.session
    into.deleted ||= c.deleted
  }
  const take = (from: ModelChange): ModelChange => {
    const c = { ...from }
    from.appended = 0
    from.session = false
    from.deleted = false
    return c
  }
  const updateSlow = (): void => {
    slowTimer = null
    slowAt = Date.now()
    const c = take(slowPending)
    for (const v of views) if (!every.has(v)) v.update(c)
  }
  const offModel = model.onChange((change) => {
    merge(pending, change)
    merge(slowPending, change)
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      const c = take(pending)
      headerText()
      cards.update()
      ctl?.update()
      for (const v of every) v.update(c)
      if (!slowTimer) slowTimer = setTimeout(updateSlow, Math.max(0, slowAt + ALL_CHARTS_EVERY_MS - Date.now()))
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
    if (slowTimer) clearTimeout(slowTimer)
    for (const v of views) v.dispose()
  }
}
