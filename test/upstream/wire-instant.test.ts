// parseInstant reads the upstream's instants as Date.parse does, faster on the
// shape the Insights API writes: compared with Date.parse on that shape over
// the whole calendar, on every edge of each field, and on other shapes.
import t from 'tap'
import type { Test } from 'tap'
import { parseInstant } from '../../src/upstream/wire-instant.js'

const same = (t: Test, text: string): void => {
  const want = Date.parse(text)
  const got = parseInstant(text)
  if (!Object.is(got, want)) t.fail(`${text}: ${got}, Date.parse ${want}`)
}

t.test('the shape the upstream writes, over four centuries and every zone', async (t) => {
  // A deterministic walk: a prime step in ms covers every month, day, hour and leap rule.
  let ms = Date.UTC(1900, 0, 1)
  const end = Date.UTC(2300, 0, 1)
  let n = 0
  while (ms < end) {
    const iso = new Date(ms).toISOString()
    for (const zone of ['Z', '+00:00', '-03:00', '+05:45', '+14:00', '-12:00']) {
      same(t, iso.replace('Z', zone))
      same(t, iso.slice(0, 19) + zone)
    }
    ms += 86_399_997 * 3 + 7919
    n++
  }
  t.ok(n > 40_000, `${n} instants compared, each in twelve spellings`)
})

t.test('edges and other shapes: whatever Date.parse says', async (t) => {
  const texts = [
    '2024-02-29T23:59:59.999+00:00', '2023-02-29T00:00:00.000Z', '2024-02-30T00:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z', '2024-12-31T23:59:59.999-23:59', '2024-01-01T00:00:00.000+23:59',
    '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-01-01T23:59:60Z', '2024-00-10T00:00:00Z', '2024-13-10T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-32T00:00:00Z',
    '2024-01-01T10:00:00.1Z', '2024-01-01T10:00:00.12Z', '2024-01-01T10:00:00.1234Z', '2024-01-01T10:00:00.123456789+02:00',
    '2024-01-01T10:00:00+24:00', '2024-01-01T10:00:00+0300', '2024-01-01T10:00:00+03', '2024-01-01T10:00Z', '2024-01-01T10:00:00',
    '2024-01-01T10:00:00.000', '2024-01-01t10:00:00z', '2024-01-01 10:00:00Z', '0999-01-01T00:00:00Z', '0000-01-01T00:00:00Z',
    '+002024-01-01T00:00:00Z', '2024-1-01T00:00:00Z', '2024-01-01T10:00:00.abcZ', '2024-01-01T10:00:00Zjunk', '2024-01-01T10:0a:00Z',
    '2024-01-01T10:00:00+0a:00', '2024-01-01T10:00:00-00:00', '', 'yesterday', '2024-01-01T10:00:00.000+00:00 '
  ]
  for (const text of texts) same(t, text)
  t.equal(parseInstant('2024-02-09T20:02:40.032+00:00'), Date.UTC(2024, 1, 9, 20, 2, 40, 32), 'the documented example')
  t.ok(Number.isNaN(parseInstant('yesterday')), 'not an instant: NaN')
})
