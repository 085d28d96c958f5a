// monitor.js, the refresh monitor's script (served as /monitor/assets/monitor.js:
// the page's Content-Security-Policy allows no inline script). Plain browser
// JavaScript in a string — the TypeScript here has no DOM types. It polls
// monitor/state every second and draws it: the loads in flight, the recent
// loads, the upstream's last hour (uPlot) and the caches. Text from the state
// (queries!) only ever goes into textContent and attributes, never markup.
//
// Hooks for tests and for people reading the DOM:
//   body[data-updated]               `at` of the last state drawn
//   .load[data-load-id][data-state]  one per load in flight, with
//     .rows[data-value][data-estimate][data-estimate-min][data-estimate-max]
//     .reads[data-value][data-calls][data-cached][data-ledger][data-estimate]
//     .bar[data-fraction] > .fill    the progress bar (no data-fraction: indeterminate)
//     .elapsed[data-value] .eta[data-value]
//   #recent-rows tr[data-load-id][data-outcome] with td.rows[data-value]
//   #chart-calls[data-calls-last]    calls in the current minute; window.monitorCharts
export const MONITOR_SCRIPT = String.raw`(function () {
  'use strict'
  var POLL_MS = 1000
  var SLOW_MS = 10000
  var CLIENTS = { 'power-query': 'Power BI / Excel', curl: 'curl', browser: 'browser', other: 'other' }
  var numbers = new Intl.NumberFormat('en-US')
  var charts = null

  function $(id) { return document.getElementById(id) }

  /** An element; attrs with null values are left out; children are nodes or text. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag)
    for (var name in attrs || {}) {
      if (attrs[name] != null) node.setAttribute(name, String(attrs[name]))
    }
    ;[].concat(children == null ? [] : children).forEach(function (c) {
      if (c != null) node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)))
    })
    return node
  }

  function num(n) { return n == null ? '—' : numbers.format(n) }
  function pad2(n) { return (n < 10 ? '0' : '') + n }

  /** 850 ms → "0.9 s", 12 s, "3 min 05 s", "1 h 02 min". */
  function duration(ms) {
    if (ms == null) return '—'
    if (ms < 10000) return (Math.max(ms, 0) / 1000).toFixed(1) + ' s'
    var s = Math.round(ms / 1000)
    if (s < 60) return s + ' s'
    var m = Math.floor(s / 60)
    if (m < 60) return m + ' min ' + pad2(s % 60) + ' s'
    return Math.floor(m / 60) + ' h ' + pad2(m % 60) + ' min'
  }

  function bytes(n) {
    if (n < 1000) return num(n) + ' B'
    var units = ['kB', 'MB', 'GB', 'TB']
    var v = n
    var i = -1
    do { v /= 1000; i++ } while (v >= 1000 && i < units.length - 1)
    return (v < 100 ? v.toFixed(1) : Math.round(v)) + ' ' + units[i]
  }

  function clock(ms) { return new Date(ms).toLocaleTimeString('en-GB') }
  function hhmm(ms) { return clock(ms).slice(0, 5) }
  function stamp(ms) { return new Date(ms).toLocaleString('en-GB') }
  function clientName(kind) { return CLIENTS[kind] || kind }
  function readsOf(f) { return f.calls + f.cached + f.ledger }
  function readsTitle(f) {
    return num(f.calls) + ' to BotCity, ' + num(f.cached) + ' from the page cache, ' + num(f.ledger) + ' from the task ledger'
  }

  // ---- loads in flight ----------------------------------------------------

  function bar(fraction, title) {
    var fill = el('div', { class: 'fill' })
    var attrs = { class: 'bar', role: 'progressbar', title: title }
    if (fraction == null) {
      attrs.class = 'bar indeterminate'
      // Rebuilt every poll: a negative delay keeps the sliding stripe where it was.
      fill.style.animationDelay = -(Date.now() % 1600) + 'ms'
    } else {
      var f = Math.max(0, Math.min(1, fraction))
      attrs['data-fraction'] = f.toFixed(4)
      attrs['aria-valuemin'] = 0
      attrs['aria-valuemax'] = 100
      attrs['aria-valuenow'] = Math.round(f * 100)
      fill.style.width = (f * 100).toFixed(2) + '%'
    }
    return el('div', attrs, fill)
  }

  function loadRow(load) {
    var f = load.figures
    var rowsEst = load.rowsEstimate
    var readsEst = load.readsEstimate
    var reads = readsOf(f)
    var fraction = null
    var barTitle = 'progress unknown: no estimate of the rows or upstream reads'
    if (rowsEst) {
      fraction = rowsEst.max > 0 ? f.rows / rowsEst.max : 1
      barTitle = 'rows answered against the estimate'
    } else if (readsEst) {
      fraction = readsEst.max > 0 ? reads / readsEst.max : 1
      barTitle = 'rows not estimated: upstream reads against their estimate'
    }
    var estText = ''
    if (rowsEst) estText = rowsEst.min === rowsEst.max ? num(rowsEst.max) : num(rowsEst.min) + '–' + num(rowsEst.max)
    var rows = el('span', {
      class: 'rows', 'data-value': f.rows,
      'data-estimate': rowsEst ? rowsEst.max : null,
      'data-estimate-min': rowsEst ? rowsEst.min : null,
      'data-estimate-max': rowsEst ? rowsEst.max : null,
      title: rowsEst ? 'estimate: ' + estText + ' rows' : 'rows not known before reading'
    }, [el('b', null, num(f.rows)), rowsEst ? ' of ~' + num(rowsEst.max) + ' rows' : ' rows (total not known yet)'])
    var readsNode = el('span', {
      class: 'reads', 'data-value': reads, 'data-calls': f.calls, 'data-cached': f.cached, 'data-ledger': f.ledger,
      'data-estimate': readsEst ? readsEst.max : null, title: readsTitle(f)
    }, [el('b', null, num(reads)), readsEst ? ' of ~' + num(readsEst.max) + ' upstream reads' : ' upstream reads',
      el('span', { class: 'muted' }, ' (' + num(f.calls) + ' calls to BotCity, ' + num(f.cached) + ' cached, ' + num(f.ledger) + ' ledger)')])
    var pages = el('span', { class: 'pages', 'data-value': f.pages }, [el('b', null, num(f.pages)), f.pages === 1 ? ' page' : ' pages'])
    var timing = el('span', { class: 'timing' }, [
      el('span', { class: 'elapsed', 'data-value': load.elapsedMs }, ['elapsed ', el('b', null, duration(load.elapsedMs))]),
      ' · ',
      el('span', { class: 'eta', 'data-value': load.etaMs == null ? '' : load.etaMs }, ['ETA ', el('b', null, duration(load.etaMs))])
    ])
    return el('div', { class: 'load', 'data-load-id': load.id, 'data-state': load.state, 'data-client': load.client }, [
      el('div', { class: 'head' }, [
        el('strong', { class: 'set' }, load.set),
        el('span', { class: 'badge client' }, clientName(load.client)),
        el('span', { class: 'badge state state-' + load.state, title: 'last change ' + clock(load.updated) }, load.state),
        el('code', { class: 'query', title: load.query }, load.query),
        timing
      ]),
      bar(fraction, barTitle),
      el('div', { class: 'figs' }, [rows, pages, readsNode])
    ])
  }

  function drawInFlight(loads) {
    var box = $('inflight')
    $('inflight-count').textContent = loads.length > 0 ? String(loads.length) : ''
    if (loads.length === 0) box.replaceChildren(el('p', { class: 'empty' }, 'No load in flight.'))
    else box.replaceChildren.apply(box, loads.map(loadRow))
  }

  // ---- recent loads -------------------------------------------------------

  function recentRow(load) {
    var f = load.figures
    var outcome = el('span', { class: 'badge outcome outcome-' + load.outcome }, load.outcome)
    return el('tr', { 'data-load-id': load.id, 'data-outcome': load.outcome }, [
      el('td', { class: 'ended', title: stamp(load.ended) }, clock(load.ended)),
      el('td', { class: 'set' }, load.set),
      el('td', { class: 'q' }, el('code', { class: 'query', title: load.query }, load.query)),
      el('td', { class: 'client' }, clientName(load.client)),
      el('td', { class: 'outcome-cell' }, [outcome, load.error ? el('code', { class: 'error' }, load.error) : null]),
      el('td', { class: 'num rows', 'data-value': f.rows }, num(f.rows)),
      el('td', { class: 'num pages', 'data-value': f.pages }, num(f.pages)),
      el('td', { class: 'num reads', 'data-calls': f.calls, 'data-cached': f.cached, 'data-ledger': f.ledger, title: readsTitle(f) },
        num(f.calls) + ' / ' + num(f.cached) + ' / ' + num(f.ledger)),
      el('td', { class: 'num duration', 'data-value': load.durationMs }, duration(load.durationMs))
    ])
  }

  function drawRecent(loads) {
    var body = $('recent-rows')
    if (loads.length === 0) body.replaceChildren(el('tr', null, el('td', { colspan: 9, class: 'empty' }, 'No load has ended yet.')))
    else body.replaceChildren.apply(body, loads.map(recentRow))
  }

  // ---- upstream charts ----------------------------------------------------

  var INTEGERS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 1e5, 2e5, 5e5, 1e6]

  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1] }
  // Half a minute either side, so the first and last minutes' bars show whole.
  function padMinute(u, min, max) { return min == null ? [min, max] : [min - 30, max + 30] }
  // A minute between gaps (null percentiles) has no line to draw: a dot shows it.
  function isolated(u, si, show) {
    if (show) return null
    var ys = u.data[si]
    var dots = []
    for (var i = 0; i < ys.length; i++) if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) dots.push(i)
    return dots.length > 0 ? dots : null
  }

  function chart(id, series, yLabel, integers) {
    var figure = $(id)
    var axis = { size: 56, label: yLabel, labelSize: 18, values: function (u, vals) { return vals.map(num) } }
    if (integers) axis.incrs = INTEGERS
    var opts = {
      width: Math.max(figure.clientWidth - 16, 200),
      height: 190,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: padMinute }, y: { range: fromZero } },
      axes: [
        { grid: { stroke: '#eef0f2' }, values: function (u, vals) { return vals.map(function (v) { return hhmm(v * 1000) }) } },
        Object.assign({ grid: { stroke: '#eef0f2' } }, axis)
      ],
      series: [{ label: 'minute', value: function (u, v) { return v == null ? '—' : hhmm(v * 1000) } }].concat(series),
      // Off the chart, the legend shows the current minute rather than dashes.
      hooks: { setLegend: [function (u) { if (u.legend.idx == null && u.data[0].length > 0) u.setLegend({ idx: u.data[0].length - 1 }, false) }] }
    }
    var plot = new uPlot(opts, [[], []].concat(series.slice(1).map(function () { return [] })), figure.querySelector('.plot'))
    return plot
  }

  function line(label, stroke, extra) {
    return Object.assign({ label: label, stroke: stroke, width: 2, points: { show: false, filter: isolated, size: 6, fill: stroke },
      value: function (u, v) { return v == null ? '—' : num(Math.round(v)) } }, extra || {})
  }

  function makeCharts() {
    if (typeof uPlot !== 'function') return null
    var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined
    var made = {
      calls: chart('chart-calls', [line('calls', '#2563eb', { fill: 'rgba(37,99,235,0.35)', paths: bars, width: 1 })], 'calls / min', true),
      latency: chart('chart-latency', [line('p50', '#16a34a'), line('p90', '#d97706'), line('p99', '#dc2626')], 'ms', false),
      errors: chart('chart-errors', [line('errors', '#dc2626'), line('429s', '#d97706'), line('retries', '#7c3aed', { dash: [4, 3] })], 'per min', true)
    }
    var resize = function () {
      for (var name in made) {
        var figure = made[name].root.closest('figure')
        made[name].setSize({ width: Math.max(figure.clientWidth - 16, 200), height: 190 })
      }
    }
    if (typeof ResizeObserver === 'function') new ResizeObserver(resize).observe($('charts'))
    else window.addEventListener('resize', resize)
    return made
  }

  function drawUpstream(minutes) {
    if (charts == null) {
      charts = makeCharts()
      window.monitorCharts = charts
      if (charts == null) { $('charts-note').textContent = 'Charts unavailable: uPlot did not load.'; return }
    }
    var pick = function (key) { return minutes.map(function (m) { return m[key] }) }
    var xs = minutes.map(function (m) { return m.t / 1000 })
    charts.calls.setData([xs, pick('calls')])
    charts.latency.setData([xs, pick('p50'), pick('p90'), pick('p99')])
    charts.errors.setData([xs, pick('errors'), pick('throttled'), pick('retries')])
    var last = minutes[minutes.length - 1]
    var sum = function (key) { return minutes.reduce(function (a, m) { return a + m[key] }, 0) }
    $('chart-calls').setAttribute('data-calls-last', last ? last.calls : 0)
    $('upstream-total').textContent = num(sum('calls')) + ' calls, ' + num(sum('errors')) + ' errors, ' + num(sum('throttled')) + ' throttled (429) in the hour'
  }

  // ---- caches ---------------------------------------------------------------

  function tile(id, label, big, small, attrs) {
    return el('div', Object.assign({ class: 'tile', id: id }, attrs), [el('div', { class: 'label' }, label), el('div', { class: 'big' }, big), el('div', { class: 'small' }, small)])
  }

  function drawCaches(state) {
    var c = state.caches
    $('cache-tiles').replaceChildren(
      tile('cache-page', 'Page cache', bytes(c.pageCache.bytes), num(c.pageCache.entries) + (c.pageCache.entries === 1 ? ' page' : ' pages'),
        { 'data-bytes': c.pageCache.bytes, 'data-entries': c.pageCache.entries }),
      tile('cache-ledger', 'Task ledger', num(c.ledger.tasks) + ' tasks', bytes(c.ledger.bytes), { 'data-tasks': c.ledger.tasks, 'data-bytes': c.ledger.bytes }),
      tile('replicas', 'Replicas reporting', num(state.replicas), state.replicas === 1 ? 'this replica' : 'summed over them', { 'data-value': state.replicas })
    )
    $('scope').textContent = state.scope === 'own'
      ? 'Showing your workspace’s loads (passthrough: each credential sees its own).'
      : 'Showing every workspace’s loads.'
    $('scope').setAttribute('data-scope', state.scope)
  }

  // ---- polling --------------------------------------------------------------

  function status(text, kind) {
    var node = $('status')
    node.className = 'status ' + kind
    node.textContent = text
    document.body.classList.toggle('stale', kind !== 'ok')
  }

  function draw(state) {
    drawInFlight(state.inFlight)
    drawRecent(state.recent)
    drawCaches(state)
    drawUpstream(state.upstream)
    $('updated').textContent = clock(state.at)
    $('updated').setAttribute('datetime', new Date(state.at).toISOString())
    document.body.setAttribute('data-updated', String(state.at))
    status('Live · every second', 'ok')
  }

  function Problem(message, kind) { this.message = message; this.kind = kind }

  function poll() {
    // No abort on a slow answer: a 401's Basic challenge may have the browser's
    // sign-in dialog open on this very request. A watchdog says so instead.
    var watchdog = setTimeout(function () { status('Waiting for the bridge’s answer (over ' + SLOW_MS / 1000 + ' s)…', 'error') }, SLOW_MS)
    fetch('monitor/state', { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401) throw new Problem('Not signed in — sign in: reload the page and give the feed’s credentials.', 'auth')
        if (!res.ok) throw new Problem('The bridge answered HTTP ' + res.status + ' — trying again every second.', 'error')
        return res.json()
      })
      .then(draw)
      .catch(function (e) {
        if (e instanceof Problem) status(e.message, e.kind)
        else if (e instanceof TypeError && /fetch/i.test(e.message)) status('The bridge cannot be reached — trying again every second.', 'error')
        else status('Could not show the state: ' + (e && e.message ? e.message : String(e)), 'error')
      })
      .then(function () {
        clearTimeout(watchdog)
        setTimeout(poll, POLL_MS)
      })
  }

  poll()
})()
`
