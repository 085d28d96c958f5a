// Prints the README's configuration table from the config schema (run after a build).
const { CONFIG_VARIABLES } = await import('../dist/src/config.js')
for (const v of CONFIG_VARIABLES) {
  const def = v.default === undefined ? '—' : `\`${v.default}\``
  console.log(`| \`${v.name}\` | ${def} | ${v.description} |`)
}
