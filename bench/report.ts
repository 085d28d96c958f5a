// The results table for the terminal, and docs/performance.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Machine } from './machine.js'
import { machineLines } from './machine.js'
import type { ResultRow } from './result.js'
import { estimateText, verdict, verdictSummary } from './upstream-calls.js'
import type { CorpusFigures } from './upstream-calls.js'

const metText = (m: boolean | null): string => (m === null ? '—' : m ? 'met' : 'NOT MET')

/** Columns padded to their widest cell, under a ruled header. */
function columns(header: readonly string[], body: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)))
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)]
}

export function textTable(rows: readonly ResultRow[]): string {
  const header = ['#', 'figure', 'median', 'spread (min–max)', 'runs', 'target', 'result']
  const body = rows.map((r) => [r.id, r.what, r.value, r.spread, String(r.runs), r.target, metText(r.met)])
  const out = [...columns(header, body), '']
  for (const r of rows) {
    out.push(`${r.id}: ${r.detail}`)
    if (r.why !== undefined) out.push(`   why not met: ${r.why}`)
  }
  return out.join('\n')
}

/**
 * The corpus of measurement 3, query by query: the plan's strategies and its
 * estimate of upstream page reads against the reads and calls of the explained
 * load (and the calls of the measured cold load, read-ahead included), then
 * how the estimates fared. No lines without a corpus.
 */
export function corpusLines(corpus: CorpusFigures | null): string[] {
  if (corpus === null) return []
  const header = ['query (after /odata/)', 'strategy', 'estimate knowing nothing', 'reads', 'was', 'estimate after a load', 'reads', 'calls', 'was', 'measured cold calls']
  const body = corpus.results.map((r) => [
    decodeURIComponent(r.path), r.plan.strategies.join(', '),
    estimateText(r.planCold), String(r.planCold.reads), verdict(r.planCold),
    estimateText(r.plan), String(r.plan.reads), String(r.plan.calls), verdict(r.plan),
    String(r.cold)
  ])
  return [
    'Corpus of measurement 3: estimated and actual upstream page reads per query, summed over its pages (each load explained twice on a cold bridge of its own: knowing nothing of the workspace, then after that first load)',
    '',
    ...columns(header, body),
    '',
    `Estimates knowing nothing: ${verdictSummary(corpus.results.map((r) => ({ ...r, plan: r.planCold })))}.`,
    `Estimates after a load: ${verdictSummary(corpus.results)}.`
  ]
}

const cell = (s: string): string => s.replace(/\|/g, '\\|')

export interface DocInput {
  readonly rows: readonly ResultRow[]
  readonly machine: Machine
  readonly endLoad: string
  readonly command: string
  readonly date: string
  readonly wallS: number
  readonly config: string
  readonly corpus: CorpusFigures | null
}

const BEGIN = '<!-- bench:results:begin (written by npm run bench; edit outside these markers) -->'
const END = '<!-- bench:results:end -->'

export function resultsMarkdown(d: DocInput): string {
  const out: string[] = [
    BEGIN,
    '## Latest results',
    '',
    `Measured ${d.date} with \`${d.command}\` (${Math.round(d.wallS)} s wall time).`,
    '',
    ...machineLines(d.machine, d.endLoad).map((l) => `- ${l}`),
    `- Bridge configuration: ${d.config}`,
    '',
    '| # | figure | median | spread (min–max) | runs | target | result | made of |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...d.rows.map((r) => `| ${r.id} | ${cell(r.what)} | ${cell(r.value)} | ${cell(r.spread)} | ${r.runs} | ${cell(r.target)} | ${metText(r.met)} | ${cell(r.detail)} |`),
    ''
  ]
  const notMet = d.rows.filter((r) => r.met === false)
  if (notMet.length === 0) out.push('Every target was met in this run.', '')
  else {
    out.push('Targets not met in this run, and what in the bridge limits them:', '')
    for (const r of notMet) out.push(`- **${r.id} ${cell(r.what)}** (${r.value}, target ${r.target}): ${r.why ?? 'see the analysis below.'}`)
    out.push('')
  }
  if (d.corpus !== null) {
    out.push('### Corpus of measurement 3', '', `${d.corpus.tasks} tasks over 120 days, ${d.corpus.setSize} in the 30-day horizon; each query read to its end through its nextLinks.`, '')
    out.push('| query (after /odata/) | minimum | how | calls (cold) | calls (warm repeat) | rows | strategy | estimated reads, knowing nothing | estimated reads, after a load | reads, calls (explained) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const q of d.corpus.results) {
      const wrong = verdict(q.plan) === 'wrong' ? ' ⚠' : ''
      out.push(`| \`${cell(decodeURIComponent(q.path))}\` | ${q.min ?? 'not counted'} | ${cell(q.reason)} | ${q.cold}${q.min !== null && q.cold !== q.min ? ' ⚠' : ''} | ${q.warm} | ${q.gotRows} | ${cell(q.plan.strategies.join(', '))} | ${estimateText(q.planCold)} | ${estimateText(q.plan)} | ${q.plan.reads}, ${q.plan.calls}${wrong} |`)
    }
    out.push('', `Plan estimates (\`Prefer: odata.include-annotations="bridge.explain"\`, each load explained twice on a cold bridge of its own and summed over its pages; docs/explain.md): knowing nothing of the workspace, ${cell(verdictSummary(d.corpus.results.map((r) => ({ ...r, plan: r.planCold }))))}; after a load, ${cell(verdictSummary(d.corpus.results))}.`, '')
  }
  out.push(END)
  return out.join('\n')
}

/**
 * Puts the results section into the document: between its markers, or in
 * place of {{RESULTS}}, or at its end; a missing document is made from
 * `template`. The hand-written text around the section is kept.
 */
export function writeDoc(path: string, section: string, template: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : template
  const start = current.indexOf(BEGIN.slice(0, 30))
  const end = current.indexOf(END)
  const text = start >= 0 && end > start
    ? `${current.slice(0, start)}${section}${current.slice(end + END.length)}`
    : current.includes('{{RESULTS}}')
      ? current.replace('{{RESULTS}}', section)
      : `${current.trimEnd()}\n\n${section}\n`
  writeFileSync(path, text)
}
