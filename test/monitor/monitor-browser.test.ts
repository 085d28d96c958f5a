// GET /monitor in a real browser: headless Chromium (puppeteer-core) watches a
// Power BI-like load of a bridge on the simulator go by. The test is the
// client and steps the load one page at a time, so the page is read while the
// load waits between pages and its figures must equal the client's exactly.
// No sleeps: the test waits for the bridge's own /monitor/state to show the
// paused load, then for the page to draw a state at least that recent.
// MONITOR_SCREENSHOT=/some/file.png keeps the picture for a person to look at.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import puppeteer from 'puppeteer-core'
import type { Page } from 'puppeteer-core'
import t from 'tap'
import type { FinishedLoad, LiveLoad, MonitorState } from '../../src/monitor/state.js'
import { getJson, startBridge } from '../fixtures/bridge.js'
import { TOOLS, findTool, skipWithout } from '../fixtures/tools.js'
import { decodePng } from '../landing/fixtures/png.js'

const WIDTH = 1200
const HEIGHT = 1400
const WAIT_MS = 60_000
const TASKS = 2000
const PAGE_SIZE = 100
/** Rows per upstream page (the fixture sets UPSTREAM_PAGE_SIZE=20). */
const UPSTREAM_PAGE = 20
/** Power Query's User-Agent (Power BI and Excel): the monitor names it "Power BI / Excel". */
const POWER_QUERY = { 'user-agent': 'Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)' }

const skip = skipWithout(TOOLS.chromium)
const chromium = skip === false ? executable(findTool(TOOLS.chromium) as string) : null

/** puppeteer wants a path; findTool gives a command. */
function executable(command: string): string {
  if (command.includes('/')) return command
  return (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command)).find((p) => existsSync(p)) ?? command
}

/** A client that reads one page when told to, and is otherwise paused with its nextLink in hand. */
class SteppedLoad {
  rows = 0
  pages = 0
  private next: string | undefined
  constructor(url: string) { this.next = url }
  get done(): boolean { return this.next === undefined }
  async step(): Promise<void> {
    const { status, body } = await getJson(this.next as string, { headers: POWER_QUERY })
    if (status !== 200) throw new Error(`${status} from ${this.next}: ${JSON.stringify(body)}`)
    this.rows += (body.value as unknown[]).length
    this.pages++
    this.next = body['@odata.nextLink'] as string | undefined
  }
}

/** Polls the bridge's /monitor/state until `pick` finds something in it. */
async function stateUntil<T>(origin: string, what: string, pick: (s: MonitorState) => T | undefined): Promise<{ state: MonitorState; found: T }> {
  const deadline = Date.now() + WAIT_MS
  let last: MonitorState | null = null
  while (Date.now() < deadline) {
    const res = await fetch(`${origin}/monitor/state`, { headers: { accept: 'application/json' } })
    if (res.status !== 200) throw new Error(`GET /monitor/state: ${res.status} ${await res.text()}`)
    last = await res.json() as MonitorState
    const found = pick(last)
    if (found !== undefined) return { state: last, found }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`/monitor/state never showed ${what}; last: ${JSON.stringify(last)}`)
}

/** Waits until the page has drawn a state stamped `at` or later. */
async function pageCaughtUp(page: Page, at: number): Promise<void> {
  await page.waitForFunction(`Number(document.body.getAttribute('data-updated')) >= ${at}`, { timeout: WAIT_MS, polling: 100 })
}

interface LoadOnPage {
  state: string | null
  stateText: string
  client: string
  query: string
  queryTitle: string | null
  rows: number
  estimate: number
  estimateMin: number
  estimateMax: number
  reads: number
  calls: number
  fraction: number | null
  barWidth: number
  fillWidth: number
  bar: { x: number; y: number; width: number; height: number }
  text: string
}

/** The figures the page shows for a load in flight, from its hooks (page-script.ts). */
async function loadOnPage(page: Page, id: string): Promise<LoadOnPage | null> {
  return await page.evaluate(`(() => {
    const row = document.querySelector('.load[data-load-id=' + JSON.stringify(${JSON.stringify(id)}) + ']')
    if (row === null) return null
    const rows = row.querySelector('.rows')
    const reads = row.querySelector('.reads')
    const bar = row.querySelector('.bar')
    const box = bar.getBoundingClientRect()
    const n = (node, name) => node.getAttribute(name) === null ? NaN : Number(node.getAttribute(name))
    return {
      state: row.getAttribute('data-state'),
      stateText: row.querySelector('.state').textContent,
      client: row.querySelector('.client').textContent,
      query: row.querySelector('.query').textContent,
      queryTitle: row.querySelector('.query').getAttribute('title'),
      rows: n(rows, 'data-value'),
      estimate: n(rows, 'data-estimate'),
      estimateMin: n(rows, 'data-estimate-min'),
      estimateMax: n(rows, 'data-estimate-max'),
      reads: n(reads, 'data-value'),
      calls: n(reads, 'data-calls'),
      fraction: bar.getAttribute('data-fraction') === null ? null : Number(bar.getAttribute('data-fraction')),
      barWidth: box.width,
      fillWidth: bar.querySelector('.fill').getBoundingClientRect().width,
      bar: { x: box.x + window.scrollX, y: box.y + window.scrollY, width: box.width, height: box.height },
      text: row.textContent
    }
  })()`) as LoadOnPage | null
}

t.test('the refresh monitor in headless Chromium', { skip }, async (t) => {
  const bridge = await startBridge({
    sim: { tasks: TASKS, latencyMs: 40 },
    // The simulator's tasks span 180 days: a horizon of a year puts all of them in the feed.
    env: { PAGE_SIZE: String(PAGE_SIZE), HORIZON_DAYS: '365' }
  })
  t.teardown(() => bridge.close())
  const dir = mkdtempSync(join(tmpdir(), 'monitor-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const browser = await puppeteer.launch({
    executablePath: chromium as string,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--hide-scrollbars']
  })
  t.teardown(() => browser.close())

  t.test('a load of Tasks as it goes, then among the recent loads', async (t) => {
    const page = await browser.newPage()
    await page.setViewport({ width: WIDTH, height: HEIGHT })
    const pageErrors: string[] = []
    const badAnswers: string[] = []
    page.on('pageerror', (e) => { pageErrors.push(String(e)) })
    page.on('response', (r) => { if (new URL(r.url()).pathname.startsWith('/monitor') && r.status() !== 200) badAnswers.push(`${r.status()} ${r.url()}`) })

    const load = new SteppedLoad(`${bridge.feed}Tasks`)
    await load.step()
    t.equal(load.rows, PAGE_SIZE, 'the client has its first page and a nextLink: the load is in flight')

    /** The load once the bridge shows it paused with the client's rows, and the page has drawn a state from then on. */
    const paused = async (): Promise<LiveLoad> => {
      const { state, found } = await stateUntil(bridge.origin, `a waiting Power Query load of Tasks with ${load.rows} rows`, (s) =>
        s.inFlight.find((l) => l.set === 'Tasks' && l.client === 'power-query' && l.state === 'waiting' && l.figures.rows === load.rows))
      await pageCaughtUp(page, state.at)
      return found
    }

    const answer = await page.goto(`${bridge.origin}/monitor`, { waitUntil: 'load' })
    t.equal(answer?.status(), 200, 'GET /monitor')
    t.match(answer?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'under the CSP that allows no inline script')
    t.equal(await page.title(), 'BotCity Insights — refresh monitor')

    const check = async (when: string): Promise<LoadOnPage> => {
      const live = await paused()
      const shown = await loadOnPage(page, live.id)
      t.ok(shown, `${when}: a row for load ${live.id}`)
      if (shown === null) throw new Error('no row')
      t.equal(shown.rows, load.rows, `${when}: rows so far as the client has them (${load.rows})`)
      t.equal(shown.estimate, shown.estimateMax, `${when}: the bar measures against the estimate's max`)
      t.ok(shown.estimateMin <= TASKS && TASKS <= shown.estimateMax, `${when}: estimate ${shown.estimateMin}–${shown.estimateMax} holds the ${TASKS} tasks`)
      t.equal(shown.state, 'waiting', `${when}: the load waits for the client's next request`)
      t.equal(shown.stateText, 'waiting')
      t.equal(shown.client, 'Power BI / Excel', `${when}: Power Query's User-Agent`)
      t.match(shown.query, /^\/odata\/Tasks/, `${when}: the query`)
      t.equal(shown.queryTitle, shown.query, 'the whole query in the title')
      t.ok(shown.reads >= load.rows / UPSTREAM_PAGE, `${when}: ${shown.reads} upstream reads for ${load.rows} rows of ${UPSTREAM_PAGE}-row pages`)
      t.ok(shown.text.includes(`${load.rows.toLocaleString('en-US')} of ~${shown.estimateMax.toLocaleString('en-US')} rows`), `${when}: "${load.rows.toLocaleString('en-US')} of ~${shown.estimateMax.toLocaleString('en-US')} rows"`)
      const expected = load.rows / shown.estimateMax
      t.ok(Math.abs((shown.fraction ?? NaN) - expected) < 0.001, `${when}: data-fraction ${shown.fraction} = rows / estimate`)
      t.ok(Math.abs(shown.fillWidth / shown.barWidth - expected) < 0.03, `${when}: the bar is ${(100 * shown.fillWidth / shown.barWidth).toFixed(1)}% filled, ${(100 * expected).toFixed(1)}% expected`)
      return shown
    }

    await check('after the first page')
    // Half the load, page by page; the page polls meanwhile.
    while (load.rows < TASKS / 2) await load.step()
    const half = await check('half way')

    t.test('screenshot: a rendered page with the progress bar drawn', async (t) => {
      const file = join(dir, 'monitor.png')
      await page.screenshot({ path: file })
      if (process.env.MONITOR_SCREENSHOT !== undefined) copyFileSync(file, process.env.MONITOR_SCREENSHOT)
      const image = decodePng(readFileSync(file))
      t.same({ width: image.width, height: image.height }, { width: WIDTH, height: HEIGHT }, 'the viewport size')
      const colours = new Set<number>()
      let ink = 0
      const at = (x: number, y: number): [number, number, number] => {
        const i = (y * image.width + x) * image.channels
        return [image.pixels[i] as number, image.pixels[i + 1] as number, image.pixels[i + 2] as number]
      }
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          const [r, g, b] = at(x, y)
          colours.add((r << 16) | (g << 8) | b)
          if (r + g + b < 3 * 160) ink++
        }
      }
      const inkShare = ink / (image.width * image.height)
      t.ok(colours.size > 50, `many colours (${colours.size}): text and charts, not a blank page`)
      t.ok(inkShare > 0.005 && inkShare < 0.3, `dark pixels cover ${(inkShare * 100).toFixed(2)}% of the page`)
      // Along the bar's middle, the fill's blue (#2563eb) spans rows / estimate of it.
      const y = Math.round(half.bar.y + half.bar.height / 2)
      const x0 = Math.round(half.bar.x)
      const width = Math.round(half.bar.width)
      t.ok(y < image.height, 'the bar is in the screenshot')
      let blue = 0
      for (let x = x0; x < x0 + width; x++) {
        const [r, g, b] = at(x, y)
        if (Math.abs(r - 0x25) < 40 && Math.abs(g - 0x63) < 40 && Math.abs(b - 0xeb) < 40) blue++
      }
      const expected = half.rows / half.estimateMax
      t.ok(Math.abs(blue / width - expected) < 0.03, `the bar is drawn ${(100 * blue / width).toFixed(1)}% blue, ${(100 * expected).toFixed(1)}% expected`)
    })

    t.test('the load ends: a recent load, finished, and the upstream chart', async (t) => {
      while (!load.done) await load.step()
      t.equal(load.rows, TASKS, `the client read all ${TASKS} tasks`)
      const { state, found } = await stateUntil(bridge.origin, 'the load among the recent ones', (s) =>
        s.recent.find((l) => l.set === 'Tasks' && l.client === 'power-query'))
      t.equal(found.outcome, 'finished', 'the bridge says finished')
      await pageCaughtUp(page, state.at)
      const shown = await page.evaluate(`(() => {
        const row = document.querySelector('#recent-rows tr[data-load-id=' + JSON.stringify(${JSON.stringify(found.id)}) + ']')
        return row === null ? null : {
          outcome: row.getAttribute('data-outcome'),
          outcomeText: row.querySelector('.outcome').textContent,
          rows: Number(row.querySelector('.rows').getAttribute('data-value')),
          rowsText: row.querySelector('.rows').textContent,
          calls: Number(row.querySelector('.reads').getAttribute('data-calls')),
          client: row.querySelector('.client').textContent,
          inFlight: document.querySelector('.load[data-load-id=' + JSON.stringify(${JSON.stringify(found.id)}) + ']') !== null
        }
      })()`) as { outcome: string; outcomeText: string; rows: number; rowsText: string; calls: number; client: string; inFlight: boolean } | null
      t.ok(shown, `a recent row for load ${found.id}`)
      if (shown === null) return
      t.same({ outcome: shown.outcome, outcomeText: shown.outcomeText, rows: shown.rows, rowsText: shown.rowsText, client: shown.client, inFlight: shown.inFlight },
        { outcome: 'finished', outcomeText: 'finished', rows: TASKS, rowsText: TASKS.toLocaleString('en-US'), client: 'Power BI / Excel', inFlight: false },
        'finished, all rows, no longer in flight')
      t.equal(shown.calls, (found as FinishedLoad).figures.calls, 'calls to BotCity as the bridge counts them')

      const chart = await page.evaluate(`(() => {
        const calls = window.monitorCharts && window.monitorCharts.calls
        return {
          canvas: document.querySelector('#chart-calls canvas') !== null,
          canvases: document.querySelectorAll('#charts canvas').length,
          last: Number(document.getElementById('chart-calls').getAttribute('data-calls-last')),
          xs: calls ? Array.from(calls.data[0]) : [],
          ys: calls ? Array.from(calls.data[1]) : [],
          at: Number(document.body.getAttribute('data-updated'))
        }
      })()`) as { canvas: boolean; canvases: number; last: number; xs: number[]; ys: number[]; at: number }
      t.ok(chart.canvas, 'the calls chart is drawn on a canvas')
      t.equal(chart.canvases, 3, 'three charts')
      t.equal(chart.xs.length, 60, 'sixty minutes')
      const lastMinute = (chart.xs.at(-1) ?? NaN) * 1000
      t.ok(lastMinute <= chart.at && chart.at < lastMinute + 60_000, 'the last point is the current minute (uPlot time in seconds)')
      t.equal(chart.last, chart.ys.at(-1), 'data-calls-last: the last point')
      // The load's calls fall in the last hour, whichever minutes they fell in.
      const hour = chart.ys.reduce((a, b) => a + b, 0)
      t.ok(hour >= shown.calls && hour > 0, `${hour} calls in the hour, at least the load's ${shown.calls}`)
      t.same(pageErrors, [], 'no script error on the page')
      t.same(badAnswers, [], 'every /monitor request answered 200')
      await page.close()
    })
  })

  t.test('text from the state stays text; no estimate is an indeterminate bar; 401 asks to sign in', async (t) => {
    const page = await browser.newPage()
    await page.setViewport({ width: WIDTH, height: 900 })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => { pageErrors.push(String(e)) })
    const hostile = `/odata/Tasks?$filter=activityLabel eq '<img src=x onerror="window.pwned=1">'`
    const now = Date.now()
    const state: MonitorState = {
      at: now, replicas: 2, scope: 'own',
      inFlight: [{
        id: '<b>x</b>', set: 'Tasks', query: hostile, client: 'other', credential: 'k', started: now - 5000, updated: now,
        figures: { rows: 40, pages: 1, reads: 3, calls: 3, cached: 0, ledger: 0 },
        state: 'retrying', rowsEstimate: null, readsEstimate: null, elapsedMs: 5000, etaMs: null
      }],
      recent: [{
        id: 'f1', set: 'Runners', query: '<script>window.pwned=2</script>', client: 'curl', credential: 'k', started: now - 9000,
        figures: { rows: 0, pages: 0, reads: 1, calls: 1, cached: 0, ledger: 0 }, ended: now - 8000, durationMs: 1000, outcome: 'failed', error: 'BRIDGE_ERR_UPSTREAM_UNAVAILABLE'
      }],
      upstream: Array.from({ length: 60 }, (_, i) => ({ t: Math.floor(now / 60_000) * 60_000 - (59 - i) * 60_000, calls: i % 2, errors: 0, throttled: 0, retries: 0, p50: i % 2 === 1 ? 40 : null, p90: i % 2 === 1 ? 80 : null, p99: i % 2 === 1 ? 120 : null })),
      caches: { pageCache: { bytes: 12_345_678, entries: 1234 }, ledger: { tasks: 45_678, bytes: 999 } }
    }
    let answer: 'state' | '401' = 'state'
    await page.setRequestInterception(true)
    page.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/monitor/state') return void request.continue()
      if (answer === '401') return void request.respond({ status: 401, contentType: 'application/json', body: '{"error":{"code":"BRIDGE_ERR_UNAUTHORIZED","message":"no"}}' })
      return void request.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(state) })
    })
    await page.goto(`${bridge.origin}/monitor`, { waitUntil: 'load' })
    await pageCaughtUp(page, now)
    const seen = await page.evaluate(`(() => {
      const row = document.querySelector('.load')
      return {
        id: row.getAttribute('data-load-id'),
        query: row.querySelector('.query').textContent,
        recentQuery: document.querySelector('#recent-rows .query').textContent,
        error: document.querySelector('#recent-rows .error').textContent,
        outcome: document.querySelector('#recent-rows tr').getAttribute('data-outcome'),
        injected: document.querySelectorAll('main img, main script').length,
        pwned: window.pwned === undefined ? null : window.pwned,
        fraction: row.querySelector('.bar').getAttribute('data-fraction'),
        indeterminate: row.querySelector('.bar').classList.contains('indeterminate'),
        eta: row.querySelector('.eta').textContent,
        pageCache: document.getElementById('cache-page').textContent,
        ledger: document.getElementById('cache-ledger').textContent,
        replicas: document.getElementById('replicas').getAttribute('data-value'),
        scope: document.getElementById('scope').textContent,
        latency: window.monitorCharts.latency.data[1].slice(-2)
      }
    })()`)
    t.same(seen, {
      id: '<b>x</b>', query: hostile, recentQuery: '<script>window.pwned=2</script>', error: 'BRIDGE_ERR_UPSTREAM_UNAVAILABLE', outcome: 'failed',
      injected: 0, pwned: null, fraction: null, indeterminate: true, eta: 'ETA —',
      pageCache: 'Page cache12.3 MB1,234 pages', ledger: 'Task ledger45,678 tasks999 B', replicas: '2',
      scope: 'Showing your workspace’s loads (passthrough: each credential sees its own).',
      latency: [null, 40]
    }, 'queries as text, an indeterminate bar, human units, null percentiles as gaps')

    answer = '401'
    await page.waitForFunction(`document.getElementById('status').classList.contains('auth')`, { timeout: WAIT_MS, polling: 100 })
    t.match(await page.evaluate(`document.getElementById('status').textContent`), /sign in: reload the page/, '401: sign in by reloading')
    answer = 'state'
    await page.waitForFunction(`document.getElementById('status').classList.contains('ok')`, { timeout: WAIT_MS, polling: 100 })
    t.pass('and it recovers on the next good answer')
    t.same(pageErrors, [], 'no script error on the page')
    await page.close()
  })
})
