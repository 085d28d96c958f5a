// GET /monitor: the refresh monitor, a page for people watching Power BI and
// Excel refreshes go through the bridge. The HTML is static; its script
// (page-script.ts, served as monitor/assets/monitor.js, since the
// Content-Security-Policy allows scripts from the bridge only) polls
// monitor/state (state.ts) every second and draws it, the charts with uPlot
// from the installed npm package: nothing comes from the internet. Every URL
// is relative to /monitor, so the page works behind a path prefix.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { MONITOR_SCRIPT } from './page-script.js'

export interface MonitorAsset {
  readonly contentType: string
  readonly body: string | Buffer
}

const STYLE = `
:root{color-scheme:light}
body{font:15px/1.5 system-ui,sans-serif;max-width:76rem;margin:1.5rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
code{font-family:ui-monospace,monospace;background:#f3f4f6;border-radius:4px;padding:0 .3rem;font-size:.85rem}
a{color:#2563eb}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1.25rem;border-bottom:1px solid #e5e7eb;padding-bottom:.6rem}
h1{font-size:1.6rem;margin:0}
h2{font-size:1.15rem;margin:1.75rem 0 .6rem;display:flex;align-items:baseline;gap:.6rem}
h2 .count{font-size:.8rem;font-weight:600;background:#2563eb;color:#fff;border-radius:999px;padding:0 .5rem}
h2 .count:empty{display:none}
h2 .aside{font-size:.85rem;font-weight:400;color:#57606a}
.sub,.muted,.empty,.small,.label{color:#57606a}
.status{margin-left:auto;font-size:.9rem;padding:.1rem .6rem;border-radius:6px}
.status.ok::before{content:"";display:inline-block;width:.55rem;height:.55rem;border-radius:50%;background:#16a34a;margin-right:.4rem}
.status.error,.status.auth{background:#fee2e2;color:#991b1b;font-weight:600}
.status.wait{color:#57606a}
body.stale main{opacity:.6}
.badge{display:inline-block;font-size:.78rem;line-height:1.5;padding:0 .5rem;border-radius:999px;background:#eef2ff;color:#3730a3;white-space:nowrap}
.state-reading{background:#dbeafe;color:#1e40af}
.state-waiting{background:#f3f4f6;color:#374151}
.state-retrying{background:#fef3c7;color:#92400e}
.outcome-finished{background:#dcfce7;color:#166534}
.outcome-abandoned{background:#fef3c7;color:#92400e}
.outcome-failed,.outcome-canceled{background:#fee2e2;color:#991b1b}
.load{border:1px solid #e5e7eb;border-radius:8px;padding:.6rem .9rem .5rem;margin:.6rem 0;background:#f9fafb}
.load .head{display:flex;flex-wrap:wrap;align-items:center;gap:.35rem .5rem;min-width:0}
.load .set{font-size:1.05rem}
.load .query{flex:1 1 14rem;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;background:#eef0f2}
.load .timing{margin-left:auto;white-space:nowrap;font-size:.9rem;color:#374151;font-variant-numeric:tabular-nums}
.bar{position:relative;height:.85rem;background:#e5e7eb;border-radius:999px;overflow:hidden;margin:.55rem 0 .35rem}
.bar .fill{height:100%;width:0;background:#2563eb;border-radius:999px}
.bar.indeterminate .fill{width:30%;background:#93c5fd;animation:slide 1.6s linear infinite}
@keyframes slide{from{transform:translateX(-100%)}to{transform:translateX(340%)}}
.figs{display:flex;flex-wrap:wrap;gap:.2rem 1.75rem;font-size:.92rem;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.88rem;font-variant-numeric:tabular-nums}
th,td{padding:.35rem .55rem;border-bottom:1px solid #e5e7eb;text-align:left;white-space:nowrap}
th{font-weight:600;color:#374151;background:#f9fafb}
.num{text-align:right}
td.q{max-width:15rem;overflow:hidden;text-overflow:ellipsis}
th{white-space:normal}
td.q code{background:none;padding:0}
td .error{display:block;font-size:.75rem;color:#991b1b;background:none;padding:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(21rem,1fr));gap:1rem}
figure{margin:0;border:1px solid #e5e7eb;border-radius:8px;padding:.5rem;min-width:0;overflow:hidden}
figcaption{font-weight:600;font-size:.9rem;margin:0 0 .2rem .3rem}
.uplot .u-legend{font-size:.8rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}
.tile{border:1px solid #e5e7eb;border-radius:8px;padding:.6rem .9rem;background:#f9fafb}
.tile .label{font-size:.85rem}
.tile .big{font-size:1.45rem;font-weight:600;font-variant-numeric:tabular-nums}
footer{margin:2rem 0 1rem;font-size:.85rem;color:#57606a}
`

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BotCity Insights — refresh monitor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="monitor/assets/uPlot.min.css">
<style>${STYLE}</style>
<script src="monitor/assets/uPlot.iife.min.js" defer></script>
<script src="monitor/assets/monitor.js" defer></script>
</head><body>
<header>
<h1>Refresh monitor</h1>
<p class="sub">BotCity Insights OData feed · <a href="./">feed home</a></p>
<p id="status" class="status wait" role="status">Connecting…</p>
</header>
<noscript><p class="status error">The monitor needs JavaScript.</p></noscript>
<main>
<section aria-labelledby="h-inflight">
<h2 id="h-inflight">Loads in flight <span class="count" id="inflight-count"></span> <span class="aside">updated <time id="updated">—</time></span></h2>
<div id="inflight"><p class="empty">Waiting for the first answer…</p></div>
</section>
<section aria-labelledby="h-recent">
<h2 id="h-recent">Recent loads</h2>
<div class="scroll"><table id="recent">
<thead><tr><th>Ended</th><th>Set</th><th>Query</th><th>Client</th><th>Outcome</th><th class="num">Rows</th><th class="num">Pages</th><th class="num" title="upstream page reads: to BotCity / from the page cache / from the task ledger">Calls / cached / ledger</th><th class="num">Duration</th></tr></thead>
<tbody id="recent-rows"></tbody>
</table></div>
</section>
<section aria-labelledby="h-upstream">
<h2 id="h-upstream">Upstream, last hour <span class="aside" id="upstream-total"></span></h2>
<p class="muted" id="charts-note"></p>
<div class="charts" id="charts">
<figure id="chart-calls"><figcaption>Calls per minute</figcaption><div class="plot"></div></figure>
<figure id="chart-latency"><figcaption>Latency (ms): p50, p90, p99</figcaption><div class="plot"></div></figure>
<figure id="chart-errors"><figcaption>Errors, 429s and retries per minute</figcaption><div class="plot"></div></figure>
</div>
</section>
<section aria-labelledby="h-caches">
<h2 id="h-caches">Caches</h2>
<div class="tiles" id="cache-tiles"></div>
<p class="muted" id="scope"></p>
</section>
</main>
<footer>This page polls <code>monitor/state</code> every second (JSON, for curl too). A load is one query and the pages that follow its nextLinks; its estimates come from the bridge's plans.</footer>
</body></html>
`

/** The monitor page: static HTML, its script and styles in monitorAssets(). */
export function monitorPage(): string {
  return PAGE
}

let assets: ReadonlyMap<string, MonitorAsset> | null = null

/** What GET /monitor/assets/<name> serves, by name: uPlot (read once from its npm package) and the page's script. */
export function monitorAssets(): ReadonlyMap<string, MonitorAsset> {
  if (assets === null) {
    const uplot = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist')
    assets = new Map<string, MonitorAsset>([
      ['uPlot.iife.min.js', { contentType: 'text/javascript; charset=utf-8', body: readFileSync(join(uplot, 'uPlot.iife.min.js')) }],
      ['uPlot.min.css', { contentType: 'text/css; charset=utf-8', body: readFileSync(join(uplot, 'uPlot.min.css')) }],
      ['monitor.js', { contentType: 'text/javascript; charset=utf-8', body: MONITOR_SCRIPT }]
    ])
  }
  return assets
}
