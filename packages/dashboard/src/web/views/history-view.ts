import { type ChartOption, mountChart } from '../charts/mount.js'
import { scorePlotOption, type ScorePoint } from '../charts/score-plot.js'
import { trialTooltip } from '../charts/trial-tooltip.js'
import { h, section } from '../dom.js'
import { canLogScores, sharedScoreAxis, trialByIdx } from '../model/derived.js'
import type { SessionModel } from '../model/session-model.js'
import { isScored, statusOf } from '../model/trials.js'
import type { ScoreScale, View } from './view.js'

/**
 * The optimization history: each trial's score against its index, the best-so-far line, trials
 * without a score in a strip below; log/linear and outlier clipping toggles (shared with the
 * slice plots), zoom with the mouse wheel and the sliders.
 */
export function historyView(model: SessionModel, scale: ScoreScale): View {
  const { root, body, tools } = section('Optimization history', 'history')
  const logBox = h('input', { type: 'checkbox', 'data-control': 'log' })
  const clipBox = h('input', { type: 'checkbox', 'data-control': 'clip', checked: scale.clip })
  logBox.addEventListener('change', () => scale.set({ log: logBox.checked }))
  clipBox.addEventListener('change', () => scale.set({ clip: clipBox.checked }))
  tools.append(
    h('label', { title: 'log10 score axis (every score must be positive)' }, logBox, ' log scale'),
    h('label', { title: 'draw scores far on the worse side on the edge of the axis (triangles)' }, clipBox, ' clip outliers'),
  )
  const note = h('p', { class: 'note' })
  const box = h('div', { class: 'chart chart-history' })
  body.append(box, note)
  const mounted = mountChart(box, 'history')

  function render(): void {
    mounted.set(option)
  }

  /** The chart's option, built when it draws; also sets the toggles and the note it goes with. */
  function option(): ChartOption {
    const trials = model.trials
    const canLog = canLogScores(model)
    logBox.disabled = !canLog
    logBox.checked = scale.log && canLog
    const axis = sharedScoreAxis(model, { log: scale.log && canLog, clip: scale.clip })
    // For tests and tools: what the chart was given (the canvas itself cannot be inspected).
    box.dataset['trials'] = String(trials.length)
    if (!axis) {
      note.textContent = ''
      box.dataset['statuses'] = ''
      return { title: { text: trials.length === 0 ? 'no trials yet' : 'no scored trials yet', left: 'center', top: 'middle' } }
    }
    const ok: ScorePoint[] = []
    const others = new Map<string, Array<[number, number]>>()
    const line: Array<[number, number]> = []
    trials.forEach((t, i) => {
      const best = model.bestSoFar[i]
      // A step line needs only the trials where the best changed (and the last one, below).
      if (best !== null && best !== undefined && best !== line[line.length - 1]?.[1]) line.push([t.trialIdx, best])
      if (isScored(t)) ok.push([t.trialIdx, t.score, t.trialIdx])
      else {
        const s = statusOf(t)
        let list = others.get(s)
        if (!list) others.set(s, (list = []))
        list.push([t.trialIdx, t.trialIdx])
      }
    })
    const last = trials[trials.length - 1]
    const lastBest = line[line.length - 1]
    if (last && lastBest && lastBest[0] !== last.trialIdx) line.push([last.trialIdx, lastBest[1]])
    const best = model.bestTrial()
    const byIdx = trialByIdx(model)
    const bestIdx = best?.trialIdx ?? null
    box.dataset['statuses'] = [...others.keys()].join(',')
    note.textContent = axis.clipped ? 'Some scores lie far beyond the rest: they are drawn on the edge of the axis (triangles).' : ''
    return scorePlotOption({
      x: { type: 'value', name: 'trial', min: 0, max: Math.max(1, last?.trialIdx ?? 1), integer: true },
      y: axis,
      yName: `score (${model.session.direction === 'maximize' ? 'higher' : 'lower'} is better)`,
      ok,
      others,
      best: best ? [best.trialIdx, best.score, best.trialIdx] : null,
      bestLine: line,
      tooltip: (idx) => {
        const t = byIdx.get(idx)
        return t ? trialTooltip(t, model.params, bestIdx) : ''
      },
      compact: false,
      widthPx: box.clientWidth,
    })
  }

  render()
  const off = scale.onChange(render)
  return {
    root,
    update: (change) => {
      if (change.appended > 0 || change.session) render()
    },
    dispose: () => {
      off()
      mounted.dispose()
    },
  }
}
