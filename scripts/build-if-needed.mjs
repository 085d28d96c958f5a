// Builds dist/ when it is missing or older than any source file, so `npm start`
// works straight after `npm ci` and stays fast on later starts.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const newest = (dir) => {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}
const stamp = 'dist/.build-stamp'
const sources = Math.max(newest('src'), newest('bench'), statSync('tsconfig.json').mtimeMs)
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  const started = Date.now()
  process.stderr.write('Compiling the TypeScript sources into dist/ (on the first start, and after a change): this takes up to a minute...\n')
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
  process.stderr.write(`Compiled in ${Math.round((Date.now() - started) / 1000)} s.\n`)
  const { writeFileSync } = await import('node:fs')
  writeFileSync(stamp, new Date().toISOString())
}
