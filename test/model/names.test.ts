// Names clients compare without regard to case: Power BI's data model treats
// column names case-insensitively, and client generators (SAP Cloud SDK)
// refuse a schema where two names of a type differ only by case.
import t from 'tap'
import { ENTITY_SETS } from '../../src/model/index.js'

function clashes(names: readonly string[]): string[] {
  const seen = new Map<string, string>()
  const out: string[] = []
  for (const name of names) {
    const other = seen.get(name.toLowerCase())
    if (other !== undefined) out.push(`${other} / ${name}`)
    seen.set(name.toLowerCase(), name)
  }
  return out
}

t.test('no two names of a type differ only by case', async (t) => {
  for (const set of ENTITY_SETS) {
    const names = [...set.properties.map((p) => p.name), ...set.navigation.map((n) => n.name)]
    t.same(clashes(names), [], `${set.typeName}: ${names.join(', ')}`)
  }
})

t.test('no two entity sets or types differ only by case', async (t) => {
  t.same(clashes(ENTITY_SETS.map((s) => s.name)), [])
  t.same(clashes(ENTITY_SETS.map((s) => s.typeName)), [])
})

t.test('a clash is found (the check itself)', async (t) => {
  t.same(clashes(['automations', 'Automations']), ['automations / Automations'])
})

t.test('property names are the upstream\'s; the runner\'s navigation is AutomationDetails', async (t) => {
  const runner = ENTITY_SETS.find((s) => s.name === 'Runners')
  t.ok(runner?.properties.some((p) => p.name === 'automations'), 'the upstream property stays `automations`')
  t.same(runner?.navigation.map((n) => n.name), ['AutomationDetails'])
})
