// The OData text an explained plan shows of a residual parses back to the same tree.
import t from 'tap'
import { AUTOMATIONS, RUNNERS, TASKS } from '../../src/model/index.js'
import type { EntitySetDef } from '../../src/model/index.js'
import { exprText, orderByText, parseFilter, parseOrderBy, parseSearch, searchText } from '../../src/odata/index.js'

const FILTERS: readonly [EntitySetDef, string][] = [
  [TASKS, "state eq 'FINISHED' and not (finishStatus ne null or id lt 5)"],
  [TASKS, 'dateCreation ge 2026-01-01T00:00:00.1234567+03:00 and date(dateCreation) le 2026-06-05'],
  [TASKS, "contains(tolower(activityLabel),'o''neil') and -processedItems add 2 mul 3 gt -10"],
  [TASKS, "processedItems div 2.5 ge 1.0 and failedItems mod 3 eq 1 and time(dateCreation) lt 12:30:00.5"],
  [TASKS, "state in ('START','RUNNING') and totalItems divby 2 ge 0.5"],
  [RUNNERS, "automations/any(a: startswith(a,'acc')) and automations/all(b: b ne 'x') and automations/any()"],
  [AUTOMATIONS, 'round(savings) eq 3 and date ge 2025-01-01T00:00:00Z and roi eq 1e-3 and fte lt 2E5 and savings ne INF and uptimeRate ne NaN and downtimeRate gt -INF and successRate lt 1.5']
]

t.test('exprText parses back to the same tree', async (t) => {
  for (const [set, text] of FILTERS) {
    const tree = parseFilter(set, text)
    t.same(parseFilter(set, exprText(tree)), tree, `${text} → ${exprText(tree)}`)
  }
})

t.test('orderByText and searchText parse back to the same tree', async (t) => {
  const order = parseOrderBy(TASKS, 'state desc,id,length(activityLabel) desc')
  t.same(parseOrderBy(TASKS, orderByText(order)), order, orderByText(order))
  for (const text of ['invoice', 'invoice OR "a (b)" AND NOT x', '"AND" "say \\"hi\\""']) {
    const tree = parseSearch(text)
    t.same(parseSearch(searchText(tree)), tree, `${text} → ${searchText(tree)}`)
  }
})
