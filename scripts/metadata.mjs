// Writes the service's schema to metadata/: the CSDL XML the bridge serves at
// $metadata and its CSDL JSON form, both generated from src/model. Run after a
// build: `npm run metadata`. test/model/metadata-files.test.ts fails while the
// files differ from what the bridge serves, so every schema change shows in a diff.
import { readFileSync, writeFileSync } from 'node:fs'

const { renderCsdl } = await import('../dist/src/serialize/csdl.js')
const { renderCsdlJson } = await import('../dist/src/serialize/csdl-json.js')
const { bridgeCapabilities } = await import('../dist/src/odata/capabilities.js')

const xml = renderCsdl(bridgeCapabilities)
const files = { 'metadata/csdl.xml': xml, 'metadata/csdl.json': renderCsdlJson(xml) }
const write = process.argv.includes('--write')
let stale = 0
for (const [path, text] of Object.entries(files)) {
  let current = null
  try { current = readFileSync(path, 'utf8') } catch { /* not written yet */ }
  if (current === text) continue
  stale++
  if (write) writeFileSync(path, text)
  console.log(`${write ? 'wrote' : 'stale'} ${path}`)
}
if (stale === 0) console.log('metadata/ is up to date')
else if (!write) process.exitCode = 1
