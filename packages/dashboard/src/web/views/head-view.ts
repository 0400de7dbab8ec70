import type { Json } from '@cairn/core'
import type { SessionView } from '../../api/types.js'
import { h, section, type Child } from '../dom.js'
import { compactJson, formatAgo, formatTime } from '../model/format.js'
import type { SessionModel } from '../model/session-model.js'
import type { View } from './view.js'

function spaceTable(space: Json | undefined): Child {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) return '—'
  const params = (space as Record<string, Json>)['params']
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return compactJson(space)
  const rows = Object.entries(params).map(([name, p]) => {
    const d = (p ?? {}) as Record<string, Json>
    const detail =
      d['kind'] === 'categorical'
        ? `one of ${compactJson(d['choices'])}`
        : `[${d['low']}, ${d['high']}]${d['log'] ? ' log' : ''}${d['step'] !== undefined ? ` step ${d['step']}` : ''}`
    return h('tr', {}, h('td', {}, name), h('td', {}, String(d['kind'] ?? '?')), h('td', {}, detail))
  })
  return h('table', { class: 'space' }, h('tbody', {}, ...rows))
}

function workersTable(s: SessionView, now: number): Child {
  if (s.evaluation !== 'shared') return 'not shared (evaluated by the driver alone)'
  if (s.workers.length === 0) return 'shared; no worker holds a trial now'
  return h(
    'table',
    { class: 'workers' },
    h('thead', {}, h('tr', {}, h('th', {}, 'worker'), h('th', {}, 'trial'), h('th', {}, 'claim lapses'))),
    h(
      'tbody',
      {},
      ...s.workers.map((w) =>
        h(
          'tr',
          {},
          h('td', {}, w.owner),
          h('td', {}, String(w.trialIdx)),
          h(
            'td',
            { title: formatTime(w.claimExpiresAt) },
            w.claimExpiresAt > now ? `in ${Math.ceil((w.claimExpiresAt - now) / 1000)} s` : formatAgo(w.claimExpiresAt, now),
          ),
        ),
      ),
    ),
  )
}

/** A pruner as the page names it: its id, then its options (`medianPruner {"nStartupTrials":5}`). */
export function prunerText(p: NonNullable<SessionView['pruner']>): string {
  return p.options === undefined ? p.id : `${p.id} ${compactJson(p.options)}`
}

/** Rows of the head: what a resume is checked against, limits, warm start, data hashes, lease, workers. */
export function headRows(s: SessionView, now: number): Array<[string, Child]> {
  const l = s.limits
  const ws = s.warmStart
  return [
    ['session id', s.sessionId],
    ['name', s.name ?? '—'],
    ['job', s.job ?? '—'],
    ['status', s.status + (s.terminalReason ? ` (${s.terminalReason})` : '')],
    ['optimizer', `${s.optimizer.id} (state version ${s.optimizer.stateVersion}, state ${s.optimizerStateBytes} bytes)`],
    ['optimizer options', compactJson(s.optimizerOptions)],
    ['pruner', s.pruner ? prunerText(s.pruner) : 'none'],
    ['search space', spaceTable(s.space)],
    ['seed', String(s.seed)],
    ['direction', s.direction],
    [
      'limits',
      `max trials ${l.maxTrials ?? 'none'}, max errors ${l.maxErrors}, trial timeout ${l.trialTimeoutMs === null ? 'none' : `${l.trialTimeoutMs} ms`}, parallelism ${l.parallelism}`,
    ],
    ['warm start', ws ? `${ws.source}, ${ws.seededTrials} seeded trials` : 'not used'],
    ['warm-start exact key', ws?.exactKey ?? '—'],
    ['warm-start seed key', ws?.seedKey ?? '—'],
    ['trainset hash', s.trainsetHash ?? '—'],
    ['valset hash', s.valsetHash ?? '—'],
    ['pending trials', s.pending.length === 0 ? 'none' : s.pending.map((p) => p.trialIdx).join(', ')],
    [
      'lease',
      s.lease
        ? `${s.lease.owner}, fencing token ${s.lease.fencingToken}, expires ${formatTime(s.lease.expiresAt)}`
        : 'none (no process drives it)',
    ],
    ['workers', workersTable(s, now)],
    ['created', formatTime(s.createdAt)],
    ['updated', formatTime(s.updatedAt)],
    ['revision', String(s.revision)],
  ]
}

/** The session's head details, and its best artifact when it has one. */
export function headView(model: SessionModel): View {
  const { root, body } = section('Session', 'head')
  function render(): void {
    const s = model.session
    const dl = h('dl', { class: 'head' })
    for (const [k, v] of headRows(s, Date.now())) dl.append(h('dt', {}, k), h('dd', {}, v))
    const parts: Node[] = [dl]
    if (s.bestArtifact !== undefined)
      parts.push(h('details', {}, h('summary', {}, 'best artifact'), h('pre', { class: 'json' }, JSON.stringify(s.bestArtifact, null, 2))))
    body.replaceChildren(...parts)
  }
  render()
  return {
    root,
    update: (change) => {
      if (change.session) render()
    },
    dispose: () => {},
  }
}
