import t from 'tap'
import { iteratePages } from '../../src/upstream/index.js'
import type { WireTask } from '../../src/upstream/wire.js'
import { DEMO, captureLogger, simulator, testClient } from './fixtures/upstream.js'

t.test('size honoured: the probe finds it, says so, remembers it; pages are then larger', async (t) => {
  const sim = await simulator(t, { honorSize: true, tasks: 2500 })
  const { lines, logger } = captureLogger()
  const { client } = testClient(sim.url, { logger })
  const finding = await client.pageSize(DEMO, 'tasks')
  t.same(finding, { requested: 1000, pageSize: 1000, honoured: true })
  t.same(await client.pageSize(DEMO, 'tasks'), finding)
  t.equal(sim.stats().tasks, 1, 'probed once')
  const info = lines.map((line) => JSON.parse(line) as { level: string; msg: string; upstream?: string }).filter((l) => l.level === 'info')
  t.same(info.map((l) => [l.msg, l.upstream]), [['upstream honours size=1000: pages of 1000 rows', `${sim.url} tasks`]])

  const rows: WireTask[] = []
  const pages = iteratePages((page, size) => client.tasks(DEMO, { page, days: 180, size }), { size: finding.pageSize })
  for await (const page of pages) rows.push(...page.content)
  t.equal(pages.pageSize, 1000)
  t.equal(rows.length, (await client.tasks(DEMO, { page: 0, days: 180 })).totalElements)
  t.equal(sim.stats().tasks, 1 + Math.ceil(rows.length / 1000) + 1)
  t.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no row twice')
})

t.test('size ignored (the default): the probe reports the upstream\'s own page size', async (t) => {
  const sim = await simulator(t)
  const { lines, logger } = captureLogger()
  const { client } = testClient(sim.url, { logger, probeSize: 500 })
  t.same(await client.pageSize(DEMO, 'automation'), { requested: 500, pageSize: 20, honoured: false })
  t.same(await client.pageSize(DEMO, 'tasks'), { requested: 500, pageSize: 20, honoured: false })
  t.equal(sim.stats().automation, 1)
  t.equal(sim.stats().tasks, 1)
  t.match(lines.filter((l) => l.includes('"level":"info"')), [/does not honour size=500: pages of 20 rows/, /does not honour size=500/])
})

t.test('a size above Spring\'s cap is not trusted either', async (t) => {
  const sim = await simulator(t, { honorSize: true })
  const { client } = testClient(sim.url, { probeSize: 5000 })
  t.same(await client.pageSize(DEMO, 'tasks'), { requested: 5000, pageSize: 2000, honoured: false })
})

t.test('automations page to the end in the order asked', async (t) => {
  const sim = await simulator(t, { automations: 45 })
  const { client } = testClient(sim.url)
  const labels: string[] = []
  for await (const page of iteratePages((page) => client.automations(DEMO, { page, sort: { field: 'label', descending: true }, filterBy: 180 }))) {
    labels.push(...page.content.map((a) => a.label))
  }
  t.equal(labels.length, sim.automations(180).length)
  t.same(labels, [...labels].sort().reverse())
  t.equal(sim.stats().automation, Math.ceil(labels.length / 20))
})
