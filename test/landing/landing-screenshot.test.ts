// GET / in a real browser: Debian's headless Chromium renders the landing page
// of a bridge on the simulator; the screenshot must be a real, non-blank page
// and the DOM must offer the feed URL and the connection files.
// LANDING_SCREENSHOT=/some/file.png keeps the picture for a person to look at.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ENTITY_SETS } from '../../src/model/index.js'
import { startBridge } from '../fixtures/bridge.js'
import { decodePng } from './fixtures/png.js'
import { TOOLS, findTool, skipWithout } from '../fixtures/tools.js'

const WIDTH = 1200
const HEIGHT = 1400

const skip = skipWithout(TOOLS.chromium)
const chromium = skip === false ? findTool(TOOLS.chromium) : null

/**
 * Runs headless Chromium once with a fresh profile. Asynchronous, so the bridge in
 * this process keeps answering; on a time-out the whole process group is ended.
 */
async function runChromium(args: string[], timeoutMs = 45_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'))
  const child = spawn(chromium as string, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    // Without these it stalls on a closed network, reaching for updates and sync.
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--hide-scrollbars',
    `--user-data-dir=${profile}`, ...args
  ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL') }, timeoutMs)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', resolve)
    })
    return { code, stdout, stderr }
  } finally {
    clearTimeout(timer)
    rmSync(profile, { recursive: true, force: true })
  }
}

t.test('the landing page in headless Chromium', { skip }, async (t) => {
  const bridge = await startBridge({ sim: { tasks: 200 } })
  t.teardown(() => bridge.close())
  const dir = mkdtempSync(join(tmpdir(), 'landing-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))

  t.test('screenshot: a PNG of the window size, with a rendered page on it', async (t) => {
    const file = join(dir, 'landing.png')
    const run = await runChromium([`--screenshot=${file}`, `--window-size=${WIDTH},${HEIGHT}`, `${bridge.origin}/`])
    t.equal(run.code, 0, `chromium exited 0 (${run.stderr.trim().split('\n').slice(-3).join(' | ')})`)
    t.ok(existsSync(file), 'the screenshot was written')
    if (!existsSync(file)) return
    if (process.env.LANDING_SCREENSHOT !== undefined) copyFileSync(file, process.env.LANDING_SCREENSHOT)
    const image = decodePng(readFileSync(file))
    t.same({ width: image.width, height: image.height }, { width: WIDTH, height: HEIGHT }, 'IHDR: the window size')

    // A blank render is one colour; text, code blocks and the mode box are not.
    const colours = new Set<number>()
    let ink = 0
    const inkRows = new Set<number>()
    for (let i = 0, p = 0; i < image.pixels.length; i += image.channels, p++) {
      const [r, g, b] = [image.pixels[i] as number, image.pixels[i + 1] as number, image.pixels[i + 2] as number]
      colours.add((r << 16) | (g << 8) | b)
      if (r + g + b < 3 * 160) {
        ink++
        inkRows.add(Math.floor(p / image.width))
      }
    }
    const inkShare = ink / (image.width * image.height)
    t.ok(colours.size > 50, `many colours (${colours.size}): antialiased text, not a blank page`)
    t.ok(inkShare > 0.005 && inkShare < 0.3, `dark pixels cover ${(inkShare * 100).toFixed(2)}% of the page`)
    t.ok(inkRows.size > 150, `text on ${inkRows.size} pixel rows`)
    t.ok([...inkRows].some((y) => y < 150), 'the heading is at the top')
  })

  t.test('DOM: the feed URL, the entity sets and the connection files', async (t) => {
    const run = await runChromium(['--dump-dom', `${bridge.origin}/`])
    t.equal(run.code, 0)
    const dom = run.stdout
    t.match(dom, /<title>BotCity Insights OData feed<\/title>/)
    t.ok(dom.includes(`<code class="feed" id="feed-url">${bridge.feed}</code>`), `the feed URL ${bridge.feed}`)
    t.ok(dom.includes('href="connect/botcity-insights.pbids"'), 'the .pbids link')
    for (const set of ENTITY_SETS) {
      t.ok(dom.includes(`href="${bridge.feed}${set.name}?$top=20"`), `a link to ${set.name}`)
      t.ok(dom.includes(`href="connect/${set.name}.odc"`), `the ${set.name} .odc link`)
    }
    const pbids = await fetch(`${bridge.origin}/connect/botcity-insights.pbids`)
    t.equal(pbids.status, 200)
    t.match(await pbids.json(), { version: '0.1', connections: [{ details: { protocol: 'odata', address: { url: bridge.feed } } }] }, 'the .pbids opens this feed')
  })
})
