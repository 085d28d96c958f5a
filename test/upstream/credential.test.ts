import t from 'tap'
import { createHash } from 'node:crypto'
import { credentialId } from '../../src/upstream/credential.js'

t.test('credential id: sha256 of login NUL key, 16 hex digits, stable', async (t) => {
  const id = credentialId({ login: 'acme', key: 's3cret-key' })
  t.match(id, /^[0-9a-f]{16}$/)
  t.equal(id, createHash('sha256').update('acme\0s3cret-key').digest('hex').slice(0, 16))
  t.equal(credentialId({ login: 'acme', key: 's3cret-key' }), id, 'same credential, same id')
  t.not(id.includes('s3cret'), true)
})

t.test('credential id: the NUL keeps login and key apart', async (t) => {
  t.not(credentialId({ login: 'ab', key: 'c' }), credentialId({ login: 'a', key: 'bc' }))
  t.not(credentialId({ login: 'acme', key: 'k1' }), credentialId({ login: 'acme', key: 'k2' }))
})
