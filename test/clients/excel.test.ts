// Excel, emulated: the .odc connection file from the landing page, then the
// same Mashup engine (client EXCEL, OLE DB provider Microsoft.Mashup.OleDb.1)
// loading the table it names, with the §(b) checklist on every response.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import { assertChecklist } from './fixtures/assert.js'
import { automationsOf, plain, runnersOf, tasksOf } from './fixtures/expected.js'
import type { Row } from './fixtures/expected.js'
import { ACCEPT_ENCODING, MASHUP_USER_AGENT, PowerQuery, V4_ACCEPT } from './fixtures/power-query.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const PAGE = 250
const bridge = await startBridge({ sim: { tasks: 4000, historyDays: 90, automations: 30, seed: 3, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: String(PAGE) } })
t.teardown(() => bridge.close())

const EXPECTED: Record<string, Row[]> = { Tasks: tasksOf(bridge.sim, NOW), Automations: automationsOf(bridge.sim), Runners: runnersOf(bridge.sim) }

const unescapeXml = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&')

interface Odc {
  readonly connectionString: string
  readonly commandText: string
  readonly client: string
  readonly formula: string
  /** The URL in OData.Feed("…", null, [Implementation="2.0"]). */
  readonly feedUrl: string
  readonly options: string
  /** The table the formula navigates to: Source{[Name="…",Signature="table"]}[Data]. */
  readonly table: string
}

/** What Excel reads from an .odc: the OLE DB connection and the embedded Power Query formula. */
function parseOdc(text: string): Odc {
  const tag = (name: string, within = text): string => {
    const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(within)
    if (m === null) throw new Error(`no <${name}> in the .odc`)
    return m[1] ?? ''
  }
  const mashup = unescapeXml(tag('odc:PowerQueryMashupData'))
  const formula = /<Formula><!\[CDATA\[([\s\S]*?)\]\]><\/Formula>/.exec(mashup)?.[1] ?? ''
  const feed = /OData\.Feed\("([^"]*)",\s*null,\s*(\[[^\]]*\])\)/.exec(formula)
  const table = /\{\[Name="([^"]+)",\s*Signature="table"\]\}\[Data\]/.exec(formula)
  return {
    connectionString: unescapeXml(tag('odc:ConnectionString')),
    commandText: unescapeXml(tag('odc:CommandText')),
    client: tag('Client', mashup),
    formula,
    feedUrl: feed?.[1] ?? '',
    options: feed?.[2] ?? '',
    table: table?.[1] ?? ''
  }
}

for (const set of ['Tasks', 'Automations', 'Runners']) {
  t.test(`/connect/${set}.odc: the feed URL and OData.Feed(…, [Implementation="2.0"]), then the load`, async (t) => {
    const res = await fetch(`${bridge.origin}/connect/${set}.odc`)
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/x-ms-odc/)
    t.match(res.headers.get('content-disposition'), new RegExp(`^attachment; filename=.*${set}\\.odc$`))
    const odc = parseOdc(await res.text())
    t.match(odc.connectionString, new RegExp(`^Provider=Microsoft\\.Mashup\\.OleDb\\.1;Data Source=\\$Workbook\\$;Location=${set}(;|$)`))
    t.equal(odc.client, 'EXCEL')
    t.equal(odc.feedUrl, bridge.feed, 'the feed URL is the service root')
    t.match(odc.options, /Implementation\s*=\s*"2\.0"/)
    t.equal(odc.table, set)
    t.match(odc.formula, new RegExp(`OData\\.Feed\\("${bridge.feed.replace(/[.$/]/g, '\\$&')}", null, \\[Implementation="2\\.0"\\]\\)`))

    // Refresh in Excel: the same engine as Power BI Desktop, the same requests.
    const pq = new PowerQuery({ url: odc.feedUrl, client: 'EXCEL', implementation: '2.0' })
    t.teardown(() => pq.close())
    await pq.connect()
    t.equal(pq.exchanges[0]?.url, bridge.feed)
    t.strictSame(pq.exchanges[0]?.requestHeaders.slice(1).map(([n, v]) => [n, v]), [
      ['Accept', V4_ACCEPT], ['MaxDataServiceVersion', '3.0'], ['OData-MaxVersion', '4.0'], ['User-Agent', MASHUP_USER_AGENT], ['Accept-Encoding', ACCEPT_ENCODING]
    ])
    t.equal(pq.exchanges[1]?.url, `${bridge.feed}$metadata`)
    t.equal(pq.navigate(odc.table), `${bridge.feed}${set}`)
    const load = await pq.refresh(odc.table)
    const expected = EXPECTED[set] ?? []
    t.equal(load.rows.length, expected.length, `${expected.length} rows`)
    t.strictSame(plain(load.rows), plain(expected), `${set} as the simulator has it`)
    t.equal(load.pages.length, Math.max(1, Math.ceil(expected.length / PAGE)), `${load.pages.length} pages`)
    assertChecklist(t, pq, [load])
  })
}

t.test('Tasks in Excel: preview then load, more than one page, compressed', async (t) => {
  const pq = new PowerQuery({ url: bridge.feed, client: 'EXCEL', implementation: '2.0' })
  t.teardown(() => pq.close())
  await pq.connect()
  const tasks = EXPECTED.Tasks ?? []
  t.ok(tasks.length > PAGE * 2, `${tasks.length} tasks`)
  const preview = await pq.preview('Tasks')
  t.strictSame(plain(preview.rows), plain(tasks.slice(0, 1000)))
  const load = await pq.refresh('Tasks')
  t.strictSame(plain(load.rows), plain(tasks))
  t.ok(load.pages.some((p) => p.contentEncoding === 'gzip' || p.contentEncoding === 'deflate'), 'pages come compressed and decode')
  assertChecklist(t, pq, [preview, load])
})

t.test('an unknown table has no .odc', async (t) => {
  const res = await fetch(`${bridge.origin}/connect/Nope.odc`)
  t.equal(res.status, 404)
  await res.arrayBuffer()
})
