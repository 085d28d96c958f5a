// The Power BI custom connector (connector/): every M file parses with
// Microsoft's parser; the connector agrees with the model, the configuration and
// its resources; `npm run connector` builds a valid, reproducible .mez; and the
// requests the connector makes are ones the bridge answers.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { validateXML } from 'xmllint-wasm'
import { CONFIG_VARIABLES } from '../../src/config.js'
import { ENTITY_SETS } from '../../src/model/index.js'
import { DEFAULT_LIMITS } from '../../src/odata/limits.js'
import { startBridge } from '../fixtures/bridge.js'
import { callsTo, parseM, recordFields, sectionMembers, sectionName, textArgumentsOf, textLiterals, walk } from './fixtures/m-ast.js'
import type { MNode } from './fixtures/m-ast.js'
import { decodePng } from '../landing/fixtures/png.js'
import { readZip } from './fixtures/zip-reader.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const CONNECTOR = join(ROOT, 'connector')
const SOURCE = readFileSync(join(CONNECTOR, 'BotCityInsights.pq'), 'utf8')
const ICON_SIZES = [16, 20, 24, 32, 40, 48, 64, 80]

function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG')
  if (png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('PNG without IHDR first')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

async function connectorSection(): Promise<MNode> {
  const parsed = await parseM(SOURCE)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.ast
}

t.test('every M file in connector/ parses with @microsoft/powerquery-parser', async (t) => {
  const files = readdirSync(CONNECTOR).filter((f) => /\.(pq|pqm|m)$/.test(f))
  t.ok(files.includes('BotCityInsights.pq') && files.includes('BotCityInsights.query.pq'), files.join(', '))
  for (const file of files) {
    const parsed = await parseM(readFileSync(join(CONNECTOR, file), 'utf8'))
    t.ok(parsed.ok, `${file}: ${parsed.ok ? 'parses' : parsed.message}`)
  }
  const broken = await parseM('section S;\nx = let a = in a;')
  t.match(broken, { ok: false, message: /line 2/ }, 'and a syntax error is reported with its line')
})

t.test('the section document declares the data source the way Power BI reads it', async (t) => {
  const section = await connectorSection()
  t.equal(sectionName(section), 'BotCityInsights')
  const members = sectionMembers(section)
  const contents = members.get('BotCityInsights.Contents')
  t.ok(contents?.shared, 'BotCityInsights.Contents is shared')
  t.same(Object.fromEntries(contents?.attributes ?? []), { 'DataSource.Kind': 'BotCityInsights', Publish: 'BotCityInsights.Publish' })
  t.same([...members.values()].filter((m) => m.shared).length, 1, 'one shared member: the data source function')

  const kind = recordFields(members.get('BotCityInsights')?.value as MNode)
  t.same([...recordFields(kind.get('Authentication') as MNode).keys()].sort(), ['Anonymous', 'Key', 'UsernamePassword'])
  t.ok(kind.has('Label'))
  const testConnection = kind.get('TestConnection') as MNode
  t.equal(testConnection.kind, 'FunctionExpression')
  t.ok(textLiterals(testConnection).includes('BotCityInsights.Contents'), 'TestConnection calls the shared function')
  t.equal(callsTo(testConnection, 'Json.Document').length, 1, 'and reads the url from the data source path')

  const publish = recordFields(members.get('BotCityInsights.Publish')?.value as MNode)
  t.ok(publish.has('ButtonText') && publish.has('SourceImage') && publish.has('SourceTypeImage'))

  const impl = members.get('BotCityInsightsImpl')?.value as MNode
  t.equal(impl.kind, 'FunctionExpression')
  const params = [...walk(impl.parameters)].filter((n) => n.kind === 'Parameter').map((n) => ({
    name: (n.name as { literal: string }).literal,
    optional: n.optionalConstant != null
  }))
  t.same(params, [{ name: 'url', optional: false }, { name: 'days', optional: true }], '(url as text, optional days as number)')
  t.equal(callsTo(impl, 'OData.Feed').length, 1, 'built on OData.Feed')
  const options = textLiterals(impl)
  t.ok(options.includes('2.0'), 'Implementation = "2.0"')
  t.match(SOURCE, /ODataVersion = 4/)
  t.match(SOURCE, /Query = \[days = /, 'days=N through the Query option')
})

t.test('the connector agrees with the model, the configuration and the limits', async (t) => {
  const members = sectionMembers(await connectorSection())
  t.same(textLiterals(members.get('EntitySets')?.value as MNode), ENTITY_SETS.map((s) => s.name), 'navigation names = ENTITY_SETS')
  const apiKeyDefault = CONFIG_VARIABLES.find((v) => v.name === 'API_KEY_PARAM')?.default
  t.same(textLiterals(members.get('ApiKeyName')?.value as MNode), [apiKeyDefault], 'ApiKeyName = API_KEY_PARAM default')
  const validDays = members.get('ValidDays')?.value as MNode
  const numbers = [...walk(validDays)].filter((n) => n.kind === 'LiteralExpression' && n.literalKind === 'Numeric').map((n) => Number(n.literal))
  t.same(numbers, [1, DEFAULT_LIMITS.maxDays], 'days from 1 to the bridge\'s largest horizon')
})

t.test('every string and icon the connector loads is in connector/', async (t) => {
  const section = await connectorSection()
  const resx = readFileSync(join(CONNECTOR, 'resources.resx'), 'utf8')
  t.match(resx, /^<\?xml version="1\.0" encoding="utf-8"\?>\s*<root>/)
  t.match(resx, /<resheader name="resmimetype">\s*<value>text\/microsoft-resx<\/value>/)
  const defined = new Map([...resx.matchAll(/<data name="([^"]+)" xml:space="preserve">\s*<value>([^<]*)<\/value>\s*<\/data>/g)].map((m) => [m[1] as string, m[2] as string]))
  t.equal((resx.match(/<data /g) ?? []).length, defined.size, 'every <data> is a plain string')
  const used = new Set(textArgumentsOf(section, 'Extension.LoadString'))
  t.same([...used].filter((k) => !defined.has(k)), [], 'no string missing from resources.resx')
  t.same([...defined.keys()].filter((k) => !used.has(k)), [], 'no unused string in resources.resx')
  t.equal(defined.get('DataSourceLabel'), 'BotCity Insights', 'the Get Data entry is "BotCity Insights"')
  // libxml2 (WebAssembly) reads it as well-formed XML.
  const lint = await validateXML({ xml: [{ fileName: 'resources.resx', contents: resx }], normalization: 'format' })
  t.same(lint.errors, [], 'resources.resx is well-formed XML')
  t.equal((await validateXML({ xml: [{ fileName: 'broken.resx', contents: resx.replace('</root>', '') }], normalization: 'format' })).valid, false, 'a broken one would not be')

  const icons = textArgumentsOf(section, 'Extension.Contents')
  t.ok(icons.length >= 8)
  for (const size of ICON_SIZES) {
    const file = `BotCityInsights${size}.png`
    t.same(pngSize(readFileSync(join(CONNECTOR, file))), { width: size, height: size }, file)
  }
  for (const icon of new Set(icons)) t.ok(ICON_SIZES.some((s) => icon === `BotCityInsights${s}.png`), `${icon} is one of the drawn sizes`)
})

t.test('npm run connector packages a valid, reproducible .mez', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mez-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const build = (name: string): Buffer => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/package-connector.mjs'), '--out', join(dir, name)], { stdio: 'pipe' })
    return readFileSync(join(dir, name))
  }
  const mez = build('BotCityInsights.mez')
  t.ok(build('again.mez').equals(mez), 'the same sources give the same bytes')

  const entries = readZip(mez)
  const expected = ['BotCityInsights.m', ...ICON_SIZES.map((s) => `BotCityInsights${s}.png`), 'resources.resx']
  t.same(entries.map((e) => e.name).sort(), expected.sort(), 'the section document (as .m), resources.resx and the icons; no test queries')
  const byName = new Map(entries.map((e) => [e.name, e.data]))
  t.ok(byName.get('BotCityInsights.m')?.equals(Buffer.from(SOURCE, 'utf8')), 'BotCityInsights.m is connector/BotCityInsights.pq')
  for (const name of expected.filter((n) => n !== 'BotCityInsights.m')) {
    t.ok(byName.get(name)?.equals(readFileSync(join(CONNECTOR, name))), `${name} as in connector/`)
  }
  t.ok(entries.some((e) => e.method === 8), 'text is deflated')
  const packaged = await parseM(byName.get('BotCityInsights.m')?.toString('utf8') ?? '')
  t.ok(packaged.ok, 'the packaged section document parses')

  if (spawnSync('unzip', ['-v']).status === 0) {
    const test = spawnSync('unzip', ['-t', join(dir, 'BotCityInsights.mez')], { encoding: 'utf8' })
    t.equal(test.status, 0, 'unzip -t accepts it')
    t.match(test.stdout, /No errors detected/)
  }
})

t.test('the packager draws the icons and refuses an incomplete connector', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'connector-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(join(CONNECTOR, 'BotCityInsights.pq'), join(dir, 'BotCityInsights.pq'))
  const run = (...args: string[]) => spawnSync(process.execPath,
    [join(ROOT, 'scripts/package-connector.mjs'), '--connector', dir, '--out', join(dir, 'out.mez'), ...args], { encoding: 'utf8' })
  const incomplete = run()
  t.equal(incomplete.status, 1)
  t.match(incomplete.stderr, /lacks resources\.resx, BotCityInsights16\.png, .*BotCityInsights80\.png \(the icons are drawn by: node scripts\/package-connector\.mjs --icons\)/)
  copyFileSync(join(CONNECTOR, 'resources.resx'), join(dir, 'resources.resx'))
  const drawn = run('--icons')
  t.equal(drawn.status, 0, drawn.stderr)
  for (const size of ICON_SIZES) {
    const image = decodePng(readFileSync(join(dir, `BotCityInsights${size}.png`)))
    t.same([image.width, image.height, image.channels], [size, size, 4], `${size} px RGBA`)
    const alpha = (x: number, y: number): number => image.pixels[(y * size + x) * 4 + 3] as number
    t.ok(alpha(0, 0) === 0 && alpha(size >> 1, size >> 1) === 255, `${size} px: transparent corners, opaque middle`)
  }
  t.same(readZip(readFileSync(join(dir, 'out.mez'))).map((e) => e.name).length, 10)
})

// What OData.Feed(url, null, [Implementation="2.0", ODataVersion=4, ApiKeyName="api_key",
// Query=[days="365"]]) sends (powerquery.md §a): the service document, $metadata,
// then each set, every URL with ?days= and, for a Web API key, ?api_key=.
const POWER_QUERY = {
  accept: 'application/json;odata.metadata=minimal',
  'odata-maxversion': '4.0',
  'user-agent': 'Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)'
}

t.test('the bridge answers the requests the connector makes', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 300 } })
  t.teardown(() => bridge.close())
  const root = await fetch(`${bridge.feed}?days=365`, { headers: POWER_QUERY })
  t.equal(root.status, 200)
  const names = ((await root.json()) as { value: { name: string }[] }).value.map((v) => v.name)
  for (const set of ENTITY_SETS) t.ok(names.includes(set.name), `service document lists ${set.name}`)
  const metadata = await fetch(`${bridge.feed}$metadata?days=365`, { headers: { ...POWER_QUERY, accept: 'application/xml' } })
  t.equal(metadata.status, 200)
  t.match(await metadata.text(), /<EntitySet Name="Tasks"/)
  for (const set of ENTITY_SETS) {
    const res = await fetch(`${bridge.feed}${set.name}?$top=1000&days=365`, { headers: POWER_QUERY })
    t.equal(res.status, 200, `${set.name} preview`)
    t.equal(res.headers.get('odata-version'), '4.0')
  }
  const bad = await fetch(`${bridge.feed}Tasks?days=3651`, { headers: POWER_QUERY })
  t.equal(bad.status, 400, 'days beyond the connector\'s range is refused by the bridge too')
})

t.test('passthrough: Web API key (login:key in api_key) and Basic credentials', async (t) => {
  const bridge = await startBridge({ passthrough: true, sim: { tasks: 300 } })
  t.teardown(() => bridge.close())
  const { login, key } = bridge.sim.options
  const apiKey = encodeURIComponent(`${login}:${key}`)
  for (const path of ['', '$metadata', 'Tasks?$top=1000&days=365', 'Automations', 'Runners']) {
    const sep = path.includes('?') ? '&' : '?'
    const res = await fetch(`${bridge.feed}${path}${sep}api_key=${apiKey}`, { headers: POWER_QUERY })
    t.equal(res.status, 200, `Web API key: /odata/${path}`)
  }
  const basic = await fetch(`${bridge.feed}Tasks?$top=5`, { headers: { ...POWER_QUERY, authorization: `Basic ${Buffer.from(`${login}:${key}`).toString('base64')}` } })
  t.equal(basic.status, 200, 'Basic: workspace login and key')
  const anonymous = await fetch(`${bridge.feed}Tasks?$top=5`, { headers: POWER_QUERY })
  t.equal(anonymous.status, 401, 'no credentials: 401, so Power BI asks for them')
  t.match(anonymous.headers.get('www-authenticate'), /^Basic realm=/)
})
