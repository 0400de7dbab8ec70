import { InvalidInputError } from '@cairn/core'
import type { SessionPageData } from '../api/types.js'
import { packCurves } from '../server/pack-curves.js'
import { escapeHtml, jsonForScript } from './inline.js'
import { webAssets } from './web-assets.js'

/** The id of the element holding the embedded data (the web app's embedded data source reads it). */
const DATA_ID = 'cairn-data'
/** The id of the element holding the packed learning curves, when some trial has one (parsed only when a view reads them). */
const CURVES_ID = 'cairn-curves'
/** The id of the element holding the charting library's script, which the app runs from a Blob URL (src/web/charts/echarts.ts). */
const ECHARTS_ID = 'cairn-echarts'
/** The id of the `<script>` element the starter below adds (src/web/charts/echarts.ts waits on it). */
const ECHARTS_SCRIPT_ID = 'cairn-echarts-script'

/**
 * Runs the charting library's text from a Blob URL as soon as the parser has read it, before the
 * session's data: Chromium compiles it on a background thread while the page parses its data and
 * app.js, instead of after (about 0.2 s sooner on the page's critical path). A load error is kept
 * on the element (`data-failed`), where the app reads it.
 */
const ECHARTS_STARTER = `(function(){var t=document.getElementById('${ECHARTS_ID}');if(!t)return;var u=URL.createObjectURL(new Blob([t.textContent||''],{type:'text/javascript'}));var s=document.createElement('script');s.id='${ECHARTS_SCRIPT_ID}';s.async=true;s.src=u;s.onload=function(){URL.revokeObjectURL(u)};s.onerror=function(){s.setAttribute('data-failed','')};document.head.appendChild(s)})()`

function check(data: SessionPageData): void {
  const d = data as Partial<SessionPageData> | null
  if (d === null || typeof d !== 'object') throw new InvalidInputError('renderReport: expected { session, trials, live, readAt }', 'data')
  if (d.session === null || typeof d.session !== 'object' || typeof d.session.sessionId !== 'string')
    throw new InvalidInputError('renderReport: data.session must be a SessionView (with a sessionId)', 'data.session')
  if (!Array.isArray(d.trials)) throw new InvalidInputError('renderReport: data.trials must be an array of trial records', 'data.trials')
}

/**
 * The session page as one self-contained HTML file: the web app's scripts and stylesheet inline
 * (the charting library's as text, which the app runs from an in-memory Blob URL),
 * the session's data embedded as JSON (the learning curves packed, see `SessionPageData.curves`, in
 * an element of their own that the page parses only when a view reads them: they are half the
 * data of a session with curves). It makes no network request at all (it opens from disk,
 * offline) and shows what the live dashboard's session page shows, without the controls.
 * Throws `InvalidInputError` for data of the wrong shape, `WebAppMissingError` in a source
 * checkout whose web app was not built.
 */
export function renderReport(data: SessionPageData): string {
  check(data)
  const { js, echarts, css } = webAssets()
  const title = `Cairn report — ${data.session.name ?? data.session.sessionId}`
  const { curves, ...rest } = packCurves(data)
  const curvesElement =
    curves && curves.length > 0 ? `<script type="application/json" id="${CURVES_ID}">${jsonForScript(curves)}</script>\n` : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cairn">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<div id="app"></div>
<script type="text/plain" id="${ECHARTS_ID}">${echarts}</script>
<script>${ECHARTS_STARTER}</script>
<script type="application/json" id="${DATA_ID}">${jsonForScript({ ...rest, live: false })}</script>
${curvesElement}<script>${js}</script>
</body>
</html>
`
}
