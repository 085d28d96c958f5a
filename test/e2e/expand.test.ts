// Relationships: $expand with nested options, navigation paths, and $metadata bindings.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const bridge = await startBridge({ sim: { tasks: 1500, now: () => NOW }, now: () => NOW })
t.teardown(() => bridge.close())
const tasks = expectedTasks(bridge.sim.tasks(), NOW, 30)
const automations = bridge.sim.automations(30)
const runners = bridge.sim.runners(30)

t.test('$metadata declares navigation properties and their bindings', async (t) => {
  const xml = await (await fetch(`${bridge.feed}$metadata`)).text()
  t.match(xml, /<NavigationProperty Name="Automation" Type="BotCity.Insights.Automation">\s*<ReferentialConstraint Property="activityLabel" ReferencedProperty="label"\/>/)
  t.match(xml, /<NavigationProperty Name="Tasks" Type="Collection\(BotCity.Insights.Task\)">/)
  t.match(xml, /<NavigationPropertyBinding Path="Automation" Target="Automations"\/>/)
  t.match(xml, /<NavigationPropertyBinding Path="AutomationDetails" Target="Automations"\/>/)
  t.match(xml, /Property="Expandable" Bool="true"/)
})

t.test('Tasks?$expand=Automation($select=label,name)', async (t) => {
  const { status, body } = await getJson(`${bridge.feed}Tasks?$top=30&$select=id,activityLabel&$expand=Automation($select=label,name)`)
  t.equal(status, 200)
  t.equal(body['@odata.context'], `${bridge.feed}$metadata#Tasks(id,activityLabel,Automation(label,name))`)
  for (const row of body.value as Record<string, unknown>[]) {
    const a = automations.find((x) => x.label === row.activityLabel)
    t.same(row.Automation, a === undefined ? null : { label: a.label, name: a.name }, `task ${row.id as number}`)
  }
})

t.test('Automations?$expand=Tasks with nested $filter, $orderby, $top and $count', async (t) => {
  const url = `${bridge.feed}Automations?$select=label&$expand=${encodeURIComponent("Tasks($select=id,state;$filter=state eq 'FINISHED';$orderby=id asc;$top=3;$count=true)")}`
  const { body } = await getJson(url)
  t.equal(body['@odata.context'], `${bridge.feed}$metadata#Automations(label,Tasks(id,state))`)
  const got = body.value as Record<string, unknown>[]
  t.equal(got.length, automations.length)
  for (const a of got) {
    const mine = tasks.filter((x) => x.activityLabel === a.label && x.state === 'FINISHED').sort((x, y) => (x.id as number) - (y.id as number))
    t.equal(a['Tasks@odata.count'], mine.length, `${a.label as string} count`)
    t.same(a.Tasks, mine.slice(0, 3).map((x) => ({ id: x.id, state: x.state })), `${a.label as string} tasks`)
  }
})

t.test('Runners?$expand=AutomationDetails and Automations?$expand=Runners', async (t) => {
  const { body } = await getJson(`${bridge.feed}Runners?$select=id,automations&$expand=AutomationDetails($select=label)`)
  for (const r of body.value as Record<string, unknown>[]) {
    const labels = ((r.AutomationDetails as { label: string }[]).map((a) => a.label)).sort()
    t.same(labels, [...(r.automations as string[])].filter((l) => automations.some((a) => a.label === l)).sort(), r.id as string)
  }
  const back = await getJson(`${bridge.feed}Automations?$select=label&$expand=Runners($select=id)`)
  for (const a of back.body.value as Record<string, unknown>[]) {
    t.same((a.Runners as { id: string }[]).map((r) => r.id).sort(), runners.filter((r) => r.automations.includes(a.label as string)).map((r) => r.id).sort(), a.label as string)
  }
})

t.test('navigation paths', async (t) => {
  const a = automations.find((x) => x.taskCount > 0) as { label: string }
  const viaPath = await readAll(`${bridge.feed}Automations('${a.label}')/Tasks?$select=id`)
  t.same(viaPath.rows.map((r) => r.id), tasks.filter((x) => x.activityLabel === a.label).map((x) => x.id))
  const first = await getJson(`${bridge.feed}Automations('${a.label}')/Tasks?$top=2`)
  t.equal(first.body['@odata.context'], `${bridge.feed}$metadata#Tasks`)
  const task = tasks[0] as Record<string, unknown>
  const parent = await getJson(`${bridge.feed}Tasks(${task.id as number})/Automation`)
  t.equal(parent.status, 200)
  t.equal(parent.body.label, task.activityLabel)
  t.equal(parent.body['@odata.context'], `${bridge.feed}$metadata#Automations/$entity`)
  const r = runners.find((x) => x.automations.length > 0) as { id: string; automations: string[] }
  const ofRunner = await readAll(`${bridge.feed}Runners('${r.id}')/AutomationDetails?$select=label`)
  t.same(ofRunner.rows.map((x) => x.label).sort(), r.automations.filter((l) => automations.some((x) => x.label === l)).sort())
  const paged = await getJson(`${bridge.feed}Automations('${a.label}')/Tasks`, { headers: { prefer: 'odata.maxpagesize=5' } })
  t.match(paged.body['@odata.nextLink'], new RegExp(`/odata/Automations\\('${a.label}'\\)/Tasks\\?\\$skiptoken=`))
  t.equal((await getJson(`${bridge.feed}Automations('nope')/Tasks`)).status, 404)
})

t.test('bad $expand is a clear 4xx', async (t) => {
  const cases: [string, number][] = [['Nope', 400], ['Automation($top=1)', 400], ['Automation($expand=Tasks)', 501], ['Automation/Tasks', 501], ['Automation($select=nope)', 400], ['Automation,Automation', 400]]
  for (const [expand, status] of cases) {
    const res = await getJson(`${bridge.feed}Tasks?$top=1&$expand=${encodeURIComponent(expand)}`)
    t.equal(res.status, status, expand)
    t.equal(res.headers.get('odata-version'), '4.0')
  }
})
