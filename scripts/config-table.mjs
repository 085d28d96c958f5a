// Writes README.md's configuration table from the config schema (src/config.ts),
// between the config-table markers. Run after a build: node scripts/config-table.mjs --write
import { readFileSync, writeFileSync } from 'node:fs'

const { CONFIG_VARIABLES } = await import('../dist/src/config.js')
const rows = CONFIG_VARIABLES.map((v) => `| \`${v.name}\` | ${v.default === undefined ? '—' : `\`${v.default}\``} | ${v.description} |`)
const table = ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n')
if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8')
  const next = readme.replace(/(<!-- config-table:start[^\n]*-->\n)[\s\S]*?(\n<!-- config-table:end -->)/, `$1${table}$2`)
  writeFileSync('README.md', next)
} else {
  console.log(table)
}
