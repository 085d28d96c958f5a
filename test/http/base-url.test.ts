import t from 'tap'
import { shownUrl } from '../../src/http/base-url.js'

t.test('a URL is shown without user-info', async (t) => {
  t.equal(shownUrl('https://user:secret@acme.botcity.dev/'), 'https://acme.botcity.dev/')
  t.equal(shownUrl('https://user:secret@acme.botcity.dev'), 'https://acme.botcity.dev')
  t.equal(shownUrl('https://acme.botcity.dev/base'), 'https://acme.botcity.dev/base')
  t.equal(shownUrl('not a url://a:b@c'), 'not a url://c')
})
