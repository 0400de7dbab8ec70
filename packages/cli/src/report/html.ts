import type { CheckpointHead, Json, TrialRecord } from '@cairn/core'
import { historyChart, paramChart } from './charts.js'
import { esc } from './escape.js'
import { categoryLabel, paramValue, reportModel, type ReportModel } from './model.js'
import { formatNumber } from './scale.js'

/** Options of `renderReport`. */
export interface ReportOptions {
  /** Shown in the header. */
  storeUri?: string
  /** Default now. */
  generatedAt?: number
}

/**
 * A self-contained HTML report of one session: the optimization history with the best-so-far
 * line, each dimension against the score, the trial table and the session head (optimizer,
 * seed, status, warm-start keys, trainset and valset hashes). Charts are inline SVG drawn here; the only
 * script sorts the table. No network access is needed to view it.
 */
export function renderReport(head: CheckpointHead, trials: TrialRecord[], options: ReportOptions = {}): string {
  const model = reportModel(head, trials, options)
  const h = model.head
  const title = `Cairn report — ${h.sessionId}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cairn">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>Session <code>${esc(h.sessionId)}</code> <span class="status status-${esc(h.status)}">${esc(h.status)}</span></h1>
  <p class="sub">${h.job ? `job <b>${esc(h.job)}</b> · ` : ''}${esc(h.optimizer.id)} · ${esc(h.direction)}${model.storeUri ? ` · ${esc(model.storeUri)}` : ''} · generated ${esc(iso(model.generatedAt))}</p>
</header>
<main>
${cards(model)}
<section>
  <h2>Optimization history</h2>
  ${historyChart(model)}
</section>
${bestSection(model)}
${paramsSection(model)}
<section>
  <h2>Trials <small>(${trials.length}; click a column to sort)</small></h2>
  ${trialTable(model)}
</section>
<section>
  <h2>Session head</h2>
  ${headSection(model)}
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
}

function cards(m: ReportModel): string {
  const p = m.head.progress
  const limit = m.head.limits.maxTrials
  const elapsed = m.head.updatedAt - p.startedAt
  const items: Array<[string, string]> = [
    ['status', `${m.head.status}${m.head.terminalReason ? ` (${m.head.terminalReason})` : ''}`],
    ['trials', `${p.attempts}${limit !== null ? ` / ${limit}` : ''}`],
    ['errors', String(p.errors)],
    [
      'best score',
      p.bestScore === null ? '—' : `${formatNumber(p.bestScore)}${p.bestTrialIdx !== null ? ` (trial ${p.bestTrialIdx})` : ''}`,
    ],
    ['seed', String(m.head.seed)],
    ['elapsed', duration(elapsed)],
  ]
  return `<section class="cards">${items.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('')}</section>`
}

function bestSection(m: ReportModel): string {
  const artifact = m.head.bestArtifact
  if (artifact === undefined) return ''
  return `<section><h2>Best</h2><pre class="json">${esc(JSON.stringify(artifact, null, 2))}</pre></section>`
}

function paramsSection(m: ReportModel): string {
  if (m.params.length === 0) return ''
  return `<section><h2>Parameters against score</h2><div class="params">${m.params.map((p) => `<figure>${paramChart(m, p)}<figcaption>${esc(p.name)}</figcaption></figure>`).join('')}</div></section>`
}

function trialTable(m: ReportModel): string {
  const names = m.params.map((p) => p.name)
  const bestIdx = m.head.progress.bestTrialIdx
  const head = ['#', 'status', 'score', 'best so far', 'duration (ms)', ...names, names.length === 0 ? 'candidate' : null, 'error'].filter(
    (c): c is string => c !== null,
  )
  const rows = m.trials.map((t, i) => {
    const best = m.bestSoFar[i]
    const cells: Array<[string, string | number]> = [
      [String(t.trialIdx), t.trialIdx],
      [t.status, t.status],
      [t.score === undefined ? '' : formatNumber(t.score), t.score ?? ''],
      [best === null || best === undefined ? '' : formatNumber(best), best ?? ''],
      [String(Math.round(t.durationMs)), t.durationMs],
      ...names.map((n): [string, string | number] => {
        const v = paramValue(t.candidate, n)
        return typeof v === 'number'
          ? [formatNumber(v), v]
          : [v === undefined ? '' : categoryLabel(v), v === undefined ? '' : categoryLabel(v)]
      }),
    ]
    if (names.length === 0) cells.push([compact(t.candidate), compact(t.candidate)])
    cells.push([t.error ? `${t.errorClass ?? t.error.name}: ${t.error.message}` : '', t.error?.message ?? ''])
    const cls = [t.status === 'error' ? 'err' : '', t.trialIdx === bestIdx ? 'best' : ''].filter(Boolean).join(' ')
    return `<tr${cls ? ` class="${cls}"` : ''}>${cells.map(([text, key]) => `<td data-k="${esc(key)}">${esc(text)}</td>`).join('')}</tr>`
  })
  return `<div class="table-wrap"><table class="trials"><thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
}

function headSection(m: ReportModel): string {
  const h = m.head
  const rows: Array<[string, string]> = [
    ['session id', h.sessionId],
    ['name', h.name ?? '—'],
    ['job', h.job ?? '—'],
    ['status', h.status + (h.terminalReason ? ` (${h.terminalReason})` : '')],
    ['optimizer', `${h.optimizer.id} (state version ${h.optimizer.stateVersion})`],
    ['optimizer options', compact(h.optimizerOptions)],
    ['seed', String(h.seed)],
    ['direction', h.direction],
    [
      'limits',
      `max trials ${h.limits.maxTrials ?? 'none'}, max errors ${h.limits.maxErrors}, trial timeout ${h.limits.trialTimeoutMs === null ? 'none' : `${h.limits.trialTimeoutMs} ms`}, parallelism ${h.limits.parallelism}`,
    ],
    ['trainset hash', h.trainsetHash ?? '—'],
    ['valset hash', h.valsetHash ?? '—'],
    ['warm start', h.warmStart ? `${h.warmStart.source}, ${h.warmStart.seededTrials} seeded trials` : 'not used'],
    ['warm-start exact key', h.warmStart?.exactKey ?? '—'],
    ['warm-start seed key', h.warmStart?.seedKey ?? '—'],
    ['created', iso(h.createdAt)],
    ['updated', iso(h.updatedAt)],
    ['revision', String(h.revision)],
    [
      'lease',
      !h.lease
        ? 'none'
        : h.lease.expiresAt > m.generatedAt
          ? `held by ${h.lease.owner} (fencing token ${h.lease.fencingToken}), expires ${iso(h.lease.expiresAt)}`
          : `free (last held by ${h.lease.owner}, fencing token ${h.lease.fencingToken})`,
    ],
    ['optimizer state', `${h.optimizerStateBytes} bytes`],
    ['settings', h.settings === undefined ? '—' : compact(h.settings)],
  ]
  const dl = `<dl class="head">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`
  const space =
    h.space === undefined
      ? ''
      : `<details><summary>search space</summary><pre class="json">${esc(JSON.stringify(h.space, null, 2))}</pre></details>`
  const raw = `<details><summary>head as JSON</summary><pre class="json">${esc(JSON.stringify(h, null, 2))}</pre></details>`
  return dl + space + raw
}

function compact(v: Json | undefined): string {
  const s = JSON.stringify(v) ?? ''
  return s.length > 300 ? `${s.slice(0, 299)}…` : s
}

function iso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

function duration(ms: number): string {
  if (!(ms >= 0)) return '—'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

const CSS = `
:root{--fg:#1d2433;--muted:#5b6475;--line:#e3e7ee;--bg:#f7f8fb;--card:#fff;--accent:#08519c;--best:#e6550d;--err:#d62728}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px 12px;background:var(--card);border-bottom:1px solid var(--line)}
h1{margin:0;font-size:22px;font-weight:600}
h1 code{font-size:20px}
h2{font-size:16px;margin:0 0 10px;font-weight:600}
h2 small{font-weight:400;color:var(--muted)}
.sub{margin:4px 0 0;color:var(--muted)}
main{padding:16px 32px 40px;max-width:1280px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 16px}
.status{display:inline-block;font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;vertical-align:middle;background:#e8eef7;color:var(--accent)}
.status-completed{background:#e3f4e8;color:#1e7b3a}.status-failed,.status-cancelled{background:#fbe6e6;color:#a51d1d}.status-paused{background:#fff3dc;color:#8a5a00}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:18px;font-weight:600;margin-top:2px}
.chart{width:100%;height:auto;display:block}
.chart .grid line{stroke:#eef1f5}
.chart .axis line{stroke:#9aa3b2}
.chart text{font-size:11px;fill:var(--muted)}
.chart .title{font-size:12px;fill:var(--fg)}
.chart .empty{font-size:14px}
.chart circle{stroke:#fff;stroke-width:.8;fill-opacity:.9}
.chart circle.best{stroke:var(--best);stroke-width:2.5}
.chart .best-line{fill:none;stroke:var(--best);stroke-width:2}
.chart .error-point{fill:none;stroke:var(--err);stroke-width:2}
.chart .legend rect{fill:#fff;stroke:var(--line)}
.chart .legend text{fill:var(--fg)}
.params{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px}
figcaption{text-align:center;font-weight:600;font-size:13px}
.table-wrap{max-height:520px;overflow:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{position:sticky;top:0;background:#f0f3f8;cursor:pointer;user-select:none}
th.asc:after{content:" ▲"}th.desc:after{content:" ▼"}
tr.best td{background:#fff1e8;font-weight:600}
tr.err td{color:var(--err)}
td:last-child{text-align:left;white-space:normal;max-width:420px}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
dt{color:var(--muted)}dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;word-break:break-all}
pre.json{background:#f5f7fa;border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;max-height:400px;font-size:12.5px}
details{margin-top:10px}summary{cursor:pointer;color:var(--accent)}
`

const SCRIPT = `
document.querySelectorAll('table.trials').forEach(function (table) {
  var ths = table.querySelectorAll('th');
  ths.forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = !th.classList.contains('asc');
      ths.forEach(function (o) { o.classList.remove('asc', 'desc'); });
      th.classList.add(asc ? 'asc' : 'desc');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-k'), y = b.cells[col].getAttribute('data-k');
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
`
