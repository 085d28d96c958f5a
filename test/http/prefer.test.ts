// Prefer (RFC 7240) as Power Query and curl write it: preferences joined by `,`
// or `;`, include-annotations with a quoted list holding commas of its own.
import t from 'tap'
import { parsePrefer, preferenceApplied } from '../../src/http/prefer.js'

t.test('include-annotations asks for the explain annotation by name or by bridge.*, never by *', async (t) => {
  const cases: [string, boolean][] = [
    ['odata.include-annotations="bridge.explain"', true],
    ['odata.include-annotations=bridge.explain', true],
    ['include-annotations="bridge.*"', true],
    ['odata.include-annotations="Org.OData.Core.V1.*,bridge.explain"', true],
    ['odata.maxpagesize=5; odata.include-annotations="display.*,bridge.*", omit-values=nulls', true],
    ['odata.include-annotations="*"', false],
    ['odata.include-annotations="bridge.*,-bridge.explain"', false],
    ['odata.include-annotations="-bridge.*"', false],
    ['odata.include-annotations="bridge.explainer"', false],
    ['', false]
  ]
  for (const [header, explain] of cases) t.equal(parsePrefer(header).explain, explain, header || '(none)')
  const mixed = parsePrefer('odata.maxpagesize=5; odata.include-annotations="display.*,bridge.*", omit-values=nulls')
  t.same(mixed, { maxPageSize: 5, omitNulls: true, explain: true }, 'the quoted list does not swallow the other preferences')
})

t.test('Preference-Applied names what was honoured', async (t) => {
  t.equal(preferenceApplied(5, true, true), 'odata.maxpagesize=5, omit-values=nulls, odata.include-annotations="bridge.explain"')
  t.equal(preferenceApplied(null, false, false), null)
})
