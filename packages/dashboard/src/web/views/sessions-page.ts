import type { SessionListing } from '@cairn/core'
import type { DataSource, SessionFilter } from '../data/source.js'
import { h } from '../dom.js'
import { formatAgo, formatNumber, formatTime } from '../model/format.js'

const STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled', 'corrupt']
const REFRESH_MS = 5000

/**
 * The sessions page: every session of the store with its status, progress, best score,
 * optimizer and last update; filtered by status, optimizer and text (the API's `status`,
 * `optimizer` and `q`), refreshed every 5 s while the tab is visible.
 */
export function sessionsPage(root: HTMLElement, source: DataSource, hrefOf: (sessionId: string) => string): () => void {
  const status = h(
    'select',
    { 'data-control': 'status', 'aria-label': 'status' },
    h('option', { value: '' }, 'all statuses'),
    ...STATUSES.map((s) => h('option', { value: s }, s)),
  )
  const optimizer = h('select', { 'data-control': 'optimizer', 'aria-label': 'optimizer' }, h('option', { value: '' }, 'all optimizers'))
  const text = h('input', { type: 'search', placeholder: 'id, name or job…', 'data-control': 'q', 'aria-label': 'search' })
  const message = h('p', { class: 'note' })
  const tbody = h('tbody')
  const table = h(
    'table',
    { class: 'sessions' },
    h(
      'thead',
      {},
      h('tr', {}, ...['session', 'job', 'status', 'completed', 'best', 'optimizer', 'updated', 'lease'].map((c) => h('th', {}, c))),
    ),
    tbody,
  )
  root.replaceChildren(
    h(
      'main',
      { class: 'sessions-page' },
      h('header', { class: 'page-header' }, h('h1', {}, 'Sessions')),
      h(
        'section',
        { class: 'view sessions' },
        h('header', {}, h('div', { class: 'tools' }, status, optimizer, text)),
        h('div', { class: 'body' }, table, message),
      ),
    ),
  )
  document.title = 'Sessions — Cairn'
  const optimizers = new Set<string>()
  let stopped = false
  let request = 0

  function row(l: SessionListing, now: number): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-session': l.sessionId },
      h(
        'td',
        {},
        h('a', { href: hrefOf(l.sessionId), 'data-nav': '' }, l.name ?? l.sessionId),
        l.name ? h('div', { class: 'id' }, l.sessionId) : null,
      ),
      h('td', {}, l.job ?? ''),
      h('td', {}, h('span', { class: `status status-${l.status}`, title: l.problem ?? null }, l.status)),
      h(
        'td',
        { class: 'num', title: l.pruned ? `${l.completed} completed, ${l.pruned} pruned` : null },
        l.pruned ? `${l.completed} (+${l.pruned} pruned)` : String(l.completed),
      ),
      h('td', { class: 'num' }, l.bestScore === null ? '—' : formatNumber(l.bestScore)),
      h('td', {}, l.optimizer),
      h('td', { title: formatTime(l.updatedAt) }, formatAgo(l.updatedAt, now)),
      h('td', {}, l.leaseExpiresAt === null ? '' : l.leaseExpiresAt > now ? 'held' : 'lapsed'),
    )
  }

  async function load(): Promise<void> {
    const filter: SessionFilter = { status: status.value, optimizer: optimizer.value, q: text.value.trim() }
    const mine = ++request
    try {
      const page = await source.listSessions(filter)
      if (mine !== request || stopped) return
      for (const l of page.sessions) optimizers.add(l.optimizer)
      const chosen = optimizer.value
      optimizer.replaceChildren(
        h('option', { value: '' }, 'all optimizers'),
        ...[...optimizers].sort().map((o) => h('option', { value: o }, o)),
      )
      optimizer.value = chosen
      tbody.replaceChildren(...page.sessions.map((l) => row(l, page.readAt)))
      message.textContent = page.sessions.length === 0 ? 'No sessions match.' : ''
    } catch (err) {
      if (mine === request) message.textContent = `Could not list the sessions: ${err instanceof Error ? err.message : String(err)}`
    }
  }
  for (const el of [status, optimizer]) el.addEventListener('change', () => void load())
  let typing: ReturnType<typeof setTimeout> | null = null
  text.addEventListener('input', () => {
    if (typing) clearTimeout(typing)
    typing = setTimeout(() => void load(), 200)
  })
  void load()
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void load()
  }, REFRESH_MS)
  return () => {
    stopped = true
    clearInterval(timer)
    if (typing) clearTimeout(typing)
  }
}
