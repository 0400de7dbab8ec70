/**
 * The dashboard's web app. On a page with embedded data (a report) it shows that session and
 * makes no request; otherwise it is the live app over the server's API: the sessions page, or a
 * session's page with `?session=<id>` (the access token, if any, stays in the URL's fragment).
 */
import { EMBEDDED_ECHARTS_ID, whenECharts } from './charts/echarts.js'
import { embeddedSource, readEmbeddedData } from './data/embedded-source.js'
import { liveSource } from './data/live-source.js'
import { accessToken } from './data/token.js'
import { h } from './dom.js'
import { sessionPage } from './views/session-page.js'
import { sessionsPage } from './views/sessions-page.js'

const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }))

function fail(err: unknown): void {
  root.replaceChildren(
    h(
      'main',
      { class: 'error-page' },
      h('h1', {}, 'Could not load the page'),
      h('p', {}, err instanceof Error ? err.message : String(err)),
    ),
  )
}

// A report: its charting library compiles in the background while the page parses its data.
if (document.getElementById(EMBEDDED_ECHARTS_ID)) void whenECharts().catch(() => {})
const embedded = readEmbeddedData(document)
if (embedded) {
  const source = embeddedSource(embedded)
  sessionPage(root, source, embedded.session.sessionId, null).catch(fail)
} else {
  let storage: Storage | null = null
  try {
    storage = window.sessionStorage
  } catch {
    // storage disabled: the token is read from the URL each time
  }
  const source = liveSource(new URL('.', location.href).href, accessToken(location, storage))
  let dispose: (() => void) | null = null
  const hrefOf = (id: string | null): string =>
    `${location.pathname}${id === null ? '' : `?session=${encodeURIComponent(id)}`}${location.hash}`

  async function route(): Promise<void> {
    dispose?.()
    dispose = null
    const id = new URLSearchParams(location.search).get('session')
    try {
      dispose = id === null ? sessionsPage(root, source, hrefOf) : await sessionPage(root, source, id, hrefOf(null))
    } catch (err) {
      fail(err)
    }
  }

  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a[data-nav]') as HTMLAnchorElement | null
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    history.pushState(null, '', a.href)
    void route()
  })
  window.addEventListener('popstate', () => void route())
  void route()
}
