// Every key from one secret (src/keys.ts): credential ids are keyed, so logs
// and Redis key names let nobody test key guesses offline without the secret.
import { createHash } from 'node:crypto'
import t from 'tap'
import { bridgeKeys, ephemeralKeys } from '../src/keys.js'

const SECRET = 'a-bridge-secret-of-at-least-32-characters'
const ACME = { login: 'acme', key: 's3cret-key' }

t.test('credential id: 16 hex digits, stable for one secret', async (t) => {
  const keys = bridgeKeys(SECRET)
  const id = keys.credentialId(ACME)
  t.match(id, /^[0-9a-f]{16}$/)
  t.equal(bridgeKeys(SECRET).credentialId({ ...ACME }), id, 'same secret and credential, same id: replicas agree')
  t.notOk(id.includes('s3cret'))
})

t.test('credential id: keyed — no hash of the credential alone gives it', async (t) => {
  const id = bridgeKeys(SECRET).credentialId(ACME)
  t.not(id, createHash('sha256').update('acme\0s3cret-key').digest('hex').slice(0, 16), 'not the unsalted hash a reader could recompute')
  t.not(bridgeKeys(`${SECRET}!`).credentialId(ACME), id, 'another secret, another id')
  t.not(ephemeralKeys().credentialId(ACME), ephemeralKeys().credentialId(ACME), 'a random secret per process')
})

t.test('credential id: the NUL keeps login and key apart', async (t) => {
  const { credentialId } = bridgeKeys(SECRET)
  t.not(credentialId({ login: 'ab', key: 'c' }), credentialId({ login: 'a', key: 'bc' }))
  t.not(credentialId({ login: 'acme', key: 'k1' }), credentialId({ login: 'acme', key: 'k2' }))
})

t.test('one key per use, all from the secret', async (t) => {
  const keys = bridgeKeys(SECRET)
  t.equal(keys.sealingSalt.length, 32)
  t.equal(keys.skiptokenKey.length, 32)
  t.notOk(keys.sealingSalt.equals(keys.skiptokenKey))
  t.ok(bridgeKeys(SECRET).skiptokenKey.equals(keys.skiptokenKey))
})
