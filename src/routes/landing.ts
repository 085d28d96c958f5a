// GET /: a small page for people — the feed URL to copy, the mode and upstream,
// the entity sets, curl examples, and connection files for Power BI (.pbids)
// and Excel (.odc). Shapes of the files: powerquery.md §(d).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { serviceRoot, shownUrl } from '../http/base-url.js'
import { ENTITY_SETS } from '../model/index.js'
import { escapeXml } from '../serialize/xml.js'

export interface LandingOptions {
  config: Config
  upstreamUrl: string
}

const CREDENTIALS_TEXT = {
  demo: 'Power BI / Excel credentials: Anonymous (the bridge signs in to its simulator itself).',
  'service-account': 'Power BI / Excel credentials: Web API key (an API key of this bridge), or Basic with any user name and the API key as password.',
  passthrough: 'Power BI / Excel credentials: Basic with your workspace login and key, or Web API key login:key.'
} as const

const MODE_TEXT = {
  demo: 'Demo mode: the data comes from the embedded BotCity Insights simulator. Set BOTCITY_URL to serve a real workspace.',
  'service-account': 'Service-account mode: the bridge reads one BotCity workspace with its own credentials.',
  passthrough: 'Passthrough mode: sign in with your BotCity workspace login (user name) and key (password).'
} as const

export function pbids(feedUrl: string): string {
  return JSON.stringify({ version: '0.1', connections: [{ details: { protocol: 'odata', address: { url: feedUrl } }, options: {}, mode: null }] }, null, 2)
}

export function odc(feedUrl: string, set: string): string {
  const formula = `let Source = OData.Feed("${feedUrl}", null, [Implementation="2.0"]), ${set} = Source{[Name="${set}",Signature="table"]}[Data] in ${set}`
  return `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/x-ms-odc; charset=utf-8">
<meta name=ProgId content=ODC.Database>
<meta name=SourceType content=OLEDB>
<title>BotCity Insights ${escapeXml(set)}</title>
<xml id=docprops><o:DocumentProperties xmlns:o="urn:schemas-microsoft-com:office:office"><o:Name>BotCity Insights ${escapeXml(set)}</o:Name></o:DocumentProperties></xml>
<xml id=msodc><odc:OfficeDataConnection xmlns:odc="urn:schemas-microsoft-com:office:odc" xmlns="http://www.w3.org/TR/REC-html40">
<odc:PowerQueryConnection odc:Type="OLEDB">
<odc:ConnectionString>Provider=Microsoft.Mashup.OleDb.1;Data Source=$Workbook$;Location=${escapeXml(set)};Extended Properties=""</odc:ConnectionString>
<odc:CommandType>SQL</odc:CommandType>
<odc:CommandText>SELECT * FROM [${escapeXml(set)}]</odc:CommandText>
</odc:PowerQueryConnection>
<odc:PowerQueryMashupData>${escapeXml(`<Mashup xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/DataMashup"><Client>EXCEL</Client><Version>2.0</Version><MinVersion>2.0</MinVersion><Culture>en-US</Culture><SafeCombine>true</SafeCombine><Items><Query Name="${set}"><Formula><![CDATA[${formula}]]></Formula><IsParameterQuery xsi:nil="true" /><IsDirectQuery xsi:nil="true" /></Query></Items></Mashup>`)}</odc:PowerQueryMashupData>
</odc:OfficeDataConnection></xml>
</head>
</html>
`
}

function page(request: FastifyRequest, options: LandingOptions): string {
  const feed = serviceRoot(request, options.config.publicUrl)
  const e = escapeXml
  const sets = ENTITY_SETS.map((s) => `<li><a href="${e(feed + s.name)}?$top=20">${e(s.name)}</a> — ${e(s.description)} <a href="connect/${e(s.name)}.odc">Excel .odc</a></li>`).join('\n')
  const auth = options.config.mode === 'passthrough' ? ' -u "WORKSPACE_LOGIN:WORKSPACE_KEY"' : options.config.apiKeys.length > 0 ? ' -u ":API_KEY"' : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BotCity Insights OData feed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font-family:ui-monospace,monospace;background:#f3f4f6;border-radius:4px}
pre{padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere} .feed{font-size:1.2rem;padding:.5rem .75rem;display:inline-block}
.mode{padding:.5rem .75rem;border-left:4px solid ${options.config.mode === 'demo' ? '#d97706' : '#2563eb'};background:#f9fafb}
</style></head><body>
<h1>BotCity Insights OData feed</h1>
<p>Feed URL for Power BI (Get Data → OData feed) and Excel (Data → Get Data → From OData Feed):</p>
<p><code class="feed" id="feed-url">${e(feed)}</code></p>
<p class="mode" id="mode">${e(MODE_TEXT[options.config.mode])} Upstream: <code>${e(shownUrl(options.upstreamUrl))}</code>. Horizon: tasks of the last ${options.config.horizonDays} days (add <code>days=N</code> to the URL to change it).</p>
<p id="credentials">${e(CREDENTIALS_TEXT[options.config.mode])} For Power BI there is also a connector: <code>npm run connector</code> builds <code>dist/BotCityInsights.mez</code> (see docs/power-bi.md).</p>
<h2>Entity sets</h2>
<ul>
${sets}
</ul>
<h2>Refresh monitor</h2>
<p><a href="monitor" id="monitor">The refresh monitor</a> shows every load in flight — Power BI and Excel refreshes, curl loops — with its progress, rows, upstream calls and time left; the recent loads; and BotCity's calls, latency, errors and 429s over the last hour. It asks for the same credentials as the feed.</p>
<h2>Connection files</h2>
<p><a href="connect/botcity-insights.pbids" id="pbids">Power BI .pbids</a> — opens Power BI Desktop connected to this feed.</p>
<h2>curl</h2>
<pre>curl${auth} '${e(feed)}Tasks?$top=5&amp;$select=id,state,activityLabel,dateCreation'
curl${auth} '${e(feed)}Tasks?$filter=state%20eq%20%27FINISHED%27%20and%20dateCreation%20ge%202024-01-01T00:00:00Z'
curl${auth} '${e(feed)}Automations?$orderby=taskCount%20desc&amp;$top=3'
curl${auth} '${e(feed)}$metadata'</pre>
<p><a href="${e(feed)}$metadata">$metadata</a> · <a href="healthz">/healthz</a> · <a href="readyz">/readyz</a> · <a href="docs">API reference</a> · <a href="metrics">metrics</a></p>
</body></html>
`
}

export async function landingRoutes(app: FastifyInstance, options: LandingOptions): Promise<void> {
  app.get('/', async (request, reply) => reply.type('text/html; charset=utf-8').send(page(request, options)))
  app.get('/connect/botcity-insights.pbids', async (request, reply) => reply
    .type('application/json; charset=utf-8')
    .header('content-disposition', 'attachment; filename=botcity-insights.pbids')
    .send(pbids(serviceRoot(request, options.config.publicUrl))))
  app.get<{ Params: { set: string } }>('/connect/:set', async (request, reply) => {
    const name = request.params.set.replace(/\.odc$/, '')
    const set = ENTITY_SETS.find((s) => s.name === name)
    if (set === undefined || !request.params.set.endsWith('.odc')) return reply.callNotFound()
    return reply.type('text/x-ms-odc; charset=utf-8')
      .header('content-disposition', `attachment; filename=botcity-insights-${set.name}.odc`)
      .send(odc(serviceRoot(request, options.config.publicUrl), set.name))
  })
}
