#!/usr/bin/env node
// Packages the Power BI custom connector in connector/ into dist/BotCityInsights.mez.
// A .mez is a plain zip: the section document (BotCityInsights.pq, stored as
// BotCityInsights.m as Microsoft's SDK build does), resources.resx and the PNG icons.
//
//   node scripts/package-connector.mjs            → dist/BotCityInsights.mez
//   node scripts/package-connector.mjs --out F    → F
//   node scripts/package-connector.mjs --icons    → also redraws connector/BotCityInsights<N>.png
//   node scripts/package-connector.mjs --connector DIR   → packages DIR instead of connector/
//
// Node only: a minimal zip writer (deflate or store, CRC-32, one fixed timestamp so
// the same sources give the same bytes) and a minimal PNG writer for the icons.
import { Buffer } from 'node:buffer'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateRawSync, deflateSync } from 'node:zlib'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const NAME = 'BotCityInsights'
const ICON_SIZES = [16, 20, 24, 32, 40, 48, 64, 80]

// CRC-32 (IEEE 802.3), as zip and PNG both use it.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A zip archive (APPNOTE 6.3: local headers, central directory, end record) of [name, bytes] pairs. */
function zip(entries) {
  const DOS_TIME = 0
  const DOS_DATE = (0 << 9) | (1 << 5) | 1 // 1980-01-01: fixed, for reproducible packages
  const locals = []
  const centrals = []
  let offset = 0
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8')
    const deflated = deflateRawSync(data, { level: 9 })
    const method = deflated.length < data.length ? 8 : 0
    const body = method === 8 ? deflated : data
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4) // made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42) // extra, comment, disk, attributes: 0
    locals.push(local, nameBytes, body)
    centrals.push(central, nameBytes)
    offset += local.length + nameBytes.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/** An RGBA PNG (color type 6, no interlace) from a size×size×4 pixel buffer. */
function png(size, rgba) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    out.write(type, 4, 'ascii')
    data.copy(out, 8)
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
    return out
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 6, 0, 0, 0], 8)
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

/** The icon: three rising white bars on a blue rounded square, antialiased by 4×4 supersampling. */
function drawIcon(size) {
  const inRoundedSquare = (x, y) => {
    const m = 0.03, r = 0.2
    const cx = Math.min(Math.max(x, m + r), 1 - m - r)
    const cy = Math.min(Math.max(y, m + r), 1 - m - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && x <= 1 - m && y >= m && y <= 1 - m
  }
  const bars = [[0.2, 0.58], [0.42, 0.4], [0.64, 0.22]] // [left, top], width 0.16, bottom 0.8
  const inBar = (x, y) => bars.some(([l, t]) => x >= l && x <= l + 0.16 && y >= t && y <= 0.8)
  const rgba = Buffer.alloc(size * size * 4)
  const S = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0, fg = 0
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size
          const y = (py + (sy + 0.5) / S) / size
          if (!inRoundedSquare(x, y)) continue
          if (inBar(x, y)) fg++
          else bg++
        }
      }
      const cover = (bg + fg) / (S * S)
      const white = fg / Math.max(bg + fg, 1)
      const o = (py * size + px) * 4
      rgba[o] = Math.round(0x1d + (255 - 0x1d) * white)
      rgba[o + 1] = Math.round(0x4e + (255 - 0x4e) * white)
      rgba[o + 2] = Math.round(0xd8 + (255 - 0xd8) * white)
      rgba[o + 3] = Math.round(255 * cover)
    }
  }
  return png(size, rgba)
}

function main(argv) {
  const option = (name) => {
    const i = argv.indexOf(name)
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : null
  }
  const dir = resolve(option('--connector') ?? join(ROOT, 'connector'))
  const out = resolve(option('--out') ?? join(ROOT, 'dist', `${NAME}.mez`))
  if (argv.includes('--icons')) {
    for (const size of ICON_SIZES) writeFileSync(join(dir, `${NAME}${size}.png`), drawIcon(size))
  }
  const files = readdirSync(dir).sort()
  const entries = []
  for (const file of files) {
    if (file.endsWith('.query.pq')) continue // SDK test queries stay out of the package
    if (file === `${NAME}.pq`) entries.push([`${NAME}.m`, readFileSync(join(dir, file))])
    else if (/\.(pqm|resx|png)$/.test(file)) entries.push([file, readFileSync(join(dir, file))])
  }
  const missing = [`${NAME}.m`, 'resources.resx', ...ICON_SIZES.map((s) => `${NAME}${s}.png`)]
    .filter((name) => !entries.some(([n]) => n === name))
  if (missing.length > 0) {
    console.error(`${dir} lacks ${missing.map((n) => n.replace(/\.m$/, '.pq')).join(', ')} (the icons are drawn by: node scripts/package-connector.mjs --icons)`)
    process.exit(1)
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, zip(entries))
  console.log(`${out}: ${entries.map(([n]) => n).join(', ')}`)
}

main(process.argv.slice(2))
