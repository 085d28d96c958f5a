// docs/architecture.md: each folder of src/ imports only from folders below
// it, and only the HTTP layer (and the app that composes it) touches Fastify.
// Read from the sources, so a new import running back up fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

/** Top to bottom: a folder may import from its own level (same row) or any row below. */
const LAYERS: readonly (readonly string[])[] = [
  ['app.ts', 'cli.ts', 'cli-args.ts', 'server.ts', 'demo.ts'],
  ['routes', 'http'],
  ['monitor'],
  ['execute'],
  ['plan'],
  ['evaluate', 'serialize'],
  ['upstream', 'keys.ts'],
  ['odata'],
  ['model'],
  ['errors.ts', 'config.ts', 'take-turns.ts', 'random.ts']
]

/** The simulator is a server of its own (demo mode, tests): it shares only the wire types of upstream/. */
const SIMULATOR = 'simulator'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : []
  })
}

/** A source file's unit: its top folder, or its own name at the top of src/. */
const unitOf = (path: string): string => relative(SRC, path).split('/')[0] as string

function levelOf(unit: string): number {
  const level = LAYERS.findIndex((row) => row.includes(unit))
  if (level < 0) throw new Error(`src/${unit} is not placed in a layer: add it to LAYERS and docs/architecture.md`)
  return level
}

t.test('no import runs back up the layers', async (t) => {
  const wrong: string[] = []
  let checked = 0
  for (const file of files(SRC)) {
    const from = unitOf(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = unitOf(resolve(dirname(file), m[1] as string).replace(/\.js$/, '.ts'))
      if (to === from) continue
      checked++
      if (from === SIMULATOR) {
        if (to !== 'upstream' && to !== 'errors.ts') wrong.push(`${relative(SRC, file)} → ${to} (the simulator shares only upstream/ wire types)`)
        continue
      }
      if (to === SIMULATOR) {
        if (levelOf(from) !== 0) wrong.push(`${relative(SRC, file)} → simulator (only the app composes it, for demo mode)`)
        continue
      }
      if (levelOf(to) < levelOf(from)) wrong.push(`${relative(SRC, file)} → ${to}`)
    }
  }
  t.ok(checked > 100, `${checked} imports across folders checked`)
  t.same(wrong, [], 'imports only go down')
})

t.test('only routes/ and http/ (and the app composing them) touch Fastify', async (t) => {
  const touching = files(SRC)
    .filter((f) => /from '(fastify|fastify-plugin|@fastify\/[^']+)'/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f))
    .filter((f) => !/^(routes|http|simulator)\//.test(f) && f !== 'app.ts')
  t.same(touching, [])
})
