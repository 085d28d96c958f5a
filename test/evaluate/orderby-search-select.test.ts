import t from 'tap'
import { compareValues, compileOrderBy, compileSearch, projectSelect } from '../../src/evaluate/index.js'
import { RUNNERS, TASKS, type EntitySetDef, type Row } from '../../src/model/index.js'
import { parseOrderBy, parseSearch } from '../../src/odata/index.js'
import { RUNNER_ROWS, TASK_ROWS } from './fixtures/rows.js'

function sorted(set: EntitySetDef, rows: readonly Row[], orderby: string): unknown[] {
  const compare = compileOrderBy(parseOrderBy(set, orderby), { now: 0 })
  return [...rows].sort(compare).map((row) => row[set.key])
}

t.test('$orderby: keys in turn; nulls first ascending, last descending (Part 1 §11.2.6.2)', async (t) => {
  const cases: [string, number[]][] = [
    ['totalItems', [2, 3, 4, 1, 5]],
    ['totalItems asc', [2, 3, 4, 1, 5]],
    ['totalItems desc', [5, 1, 4, 3, 2]],
    ['failedItems, id desc', [5, 2, 4, 1, 3]],
    ['failedItems desc, id', [3, 1, 4, 2, 5]],
    ['state, dateCreation desc', [4, 1, 3, 2, 5]],
    ['activityLabel', [4, 3, 2, 5, 1]],
    ['tolower(activityLabel)', [4, 5, 3, 2, 1]],
    ['finishStatus eq null desc, id', [2, 4, 5, 1, 3]],
    ['finishStatus eq null, id', [1, 3, 2, 4, 5]],
    ['year(dateCreation) desc, id', [1, 2, 4, 5, 3]],
    ['dateCreation', [3, 5, 1, 2, 4]],
    ['totalItems sub processedItems desc', [5, 3, 1, 4, 2]]
  ]
  for (const [orderby, ids] of cases) t.same(sorted(TASKS, TASK_ROWS, orderby), ids, orderby)
  t.same(sorted(RUNNERS, RUNNER_ROWS, 'length(automations) desc'), ['vm01', 'vm03', 'vm02'])
  t.same(sorted(RUNNERS, RUNNER_ROWS, 'utilizationRate desc'), ['vm03', 'vm01', 'vm02'])
  t.equal(compileOrderBy([])(TASK_ROWS[0], TASK_ROWS[1]), 0, 'no keys: every pair ties (the caller adds the key)')
  t.equal(compileOrderBy(parseOrderBy(TASKS, 'state'))(TASK_ROWS[0], TASK_ROWS[2]), 0, 'equal keys tie')
})

t.test('compareValues: a total order', async (t) => {
  const cases: [unknown, unknown, number][] = [
    [null, null, 0], [null, 1, -1], [1, null, 1], [null, 'a', -1], [1, 2, -1], [2, 1, 1], [2, 2, 0],
    ['a', 'b', -1], ['B', 'a', -1], ['a', 'a', 0], [false, true, -1], [true, false, 1],
    [-Infinity, 0, -1], [Infinity, 1e308, 1], [NaN, -Infinity, -1], [1, NaN, 1], [NaN, NaN, 0], [null, NaN, -1]
  ]
  for (const [x, y, expected] of cases) t.equal(compareValues(x as never, y as never), expected, `${String(x)} vs ${String(y)}`)
})

function searched(set: EntitySetDef, rows: readonly Row[], search: string): unknown[] {
  const keep = compileSearch(parseSearch(search), set)
  return rows.filter((row) => keep(row)).map((row) => row[set.key])
}

t.test('$search: case-insensitive text over string properties and string collections', async (t) => {
  const cases: [string, number[]][] = [
    ['bot', [2, 3]],
    ['BOT', [2, 3]],
    ['repo', [1, 3, 4]],
    ['bot OR abc', [2, 3, 5]],
    ['repo NOT finished', [4]],
    ['"neil bot"', [2]],
    ['"bot neil"', []],
    ['vm01 canceled', [4]],
    ['vm01 AND canceled', [4]],
    ['NOT vm0', [3, 5]],
    ['bot-ä', [3]],
    ["'O''Neil'", [2]],
    ['12', []]
  ]
  for (const [search, ids] of cases) t.same(searched(TASKS, TASK_ROWS, search), ids, search)
  t.same(searched(RUNNERS, RUNNER_ROWS, 'supplier'), ['vm01'], 'collection items are searched')
  t.same(searched(RUNNERS, RUNNER_ROWS, 'vm0'), ['vm01', 'vm02', 'vm03'])
  t.same(searched(RUNNERS, RUNNER_ROWS, 'started OR online'), ['vm01', 'vm03'])
  t.equal(compileSearch(null, TASKS)({}), true)
})

t.test('$select projection: only the selected properties, in model order', async (t) => {
  const row = TASK_ROWS[0]
  const pick = projectSelect(['state', 'id'], TASKS)
  t.same(Object.keys(pick(row)), ['id', 'state'])
  t.same(pick(row), { id: 1, state: 'FINISHED' })
  t.same(Object.keys(projectSelect(['state'], TASKS)(row)), ['state'], 'the key is not added by default')
  t.same(Object.keys(projectSelect(['state'], TASKS, { includeKey: true })(row)), ['id', 'state'])
  t.equal(projectSelect(null, TASKS)(row), row, 'no $select: the row itself')
  t.same(projectSelect([], TASKS)(row), {}, 'only a navigation property was selected')
  t.same(projectSelect(['automations'], RUNNERS)(RUNNER_ROWS[1]), { automations: [] })
  t.same(projectSelect(['constructor', 'state'], TASKS)(row), { state: 'FINISHED' }, 'names outside the model are never copied')
})
