// bench/report/write: a run's results as files — `<dir>/<stamp>.md` (the machine, the table, the chart, the TSBS
// per-query report), `.json` (every measurement) and `.svg` (the chart of ratios); and, for a full run, BENCHMARKS.md
// at the repo root with the same content, so it always shows the latest full run and the machine it ran on.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BenchOptions, Measurement } from '../scenarios/index.js'
import { ratioChart } from './svg.js'
import { comparisons, markdownTable } from './table.js'

export interface Machine {
  readonly cpus: number
  readonly cpuModel: string
  readonly memoryGiB: number
  readonly kernel: string
  readonly node: string
  /** os.loadavg() when the bench started and when it ended: the machine is shared, so the figures carry it. */
  readonly loadAverageStart: ReadonlyArray<number>
  loadAverageEnd: ReadonlyArray<number>
}

export function machineNow(): Machine {
  return {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`, node: process.version, loadAverageStart: os.loadavg(), loadAverageEnd: [],
  }
}

const loads = (values: ReadonlyArray<number>): string => values.map((v) => v.toFixed(2)).join(' / ')

export function machineLine(m: Machine): string {
  const end = m.loadAverageEnd.length === 0 ? '' : `, ${loads(m.loadAverageEnd)} at the end`
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}; load average (1 / 5 / 15 min) ` +
    `${loads(m.loadAverageStart)} at the start${end}`
}

export interface RunDocument {
  readonly startedAt: Date
  readonly machine: Machine
  readonly options: BenchOptions
  readonly command: string
  readonly results: ReadonlyArray<Measurement>
  /** Reports of the standalone scenarios (the TSBS per-query table), printed as they are. */
  readonly reports: ReadonlyArray<string>
}

const READING = 'Each peer cell is its figure · **nodedb\'s ratio to it**, turned so that > 1 means nodedb is better ' +
  '(faster, less CPU, memory or disk); the last column is nodedb\'s ratio to the best peer. INVALID: a system\'s answer ' +
  'or row count differs from nodedb\'s, so no ratio stands. Query figures are the median (and p95) in ms over runs with ' +
  'varied parameters, each timed from sending the query until the last byte of its answer has arrived (pg wire: ' +
  'ReadyForQuery, read by a client that keeps rows as bytes; HTTP: the end of the body); decoding the answer for the ' +
  'cross-check is not timed. `tsbs/load*` is each system loading the TSBS rows its own native way (nodedb, InfluxDB, ' +
  'VictoriaMetrics: line protocol over HTTP, two senders; the others: CSV) from files written before any timed load; ' +
  '`tsbs/disk-settled` is nodedb after CHECKPOINT and each peer after its query set (its merges had time); CPU is ' +
  'the server\'s whole process tree (/proc utime + stime), per million rows, which does not depend on the core count. ' +
  'The ILP ingest scenarios first load a tenth of the rows untimed, and tsbs/load a quarter as many other rows the ' +
  'same way into a table dropped before the timed load (every system alike; `--cold-load` skips it), so none pays a ' +
  'cold start. ' +
  '`*-ingest/rss-after` is the server\'s root process (PostgreSQL: the postmaster, its backends have exited); ' +
  '`tsbs/rss-after-load` is nodedb with a 4096 MiB memtable budget (the query set first reads memtables), PostgreSQL ' +
  'postmaster + one backend. n/a (language): the peer\'s query language cannot express the query (as TSBS says).'

/** The markdown of a run; `chartPath` is where the SVG is, relative to the markdown file. */
export function runMarkdown(doc: RunDocument, chartPath: string, heading: string): string {
  return [
    `# ${heading}`, '',
    `Run ${doc.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${doc.command}\`.`, '',
    `Machine: ${machineLine(doc.machine)}.`, '',
    markdownTable(doc.results), READING, '',
    `![nodedb's ratio to the best peer per scenario](${chartPath})`, '',
    ...doc.reports.map((report) => `\`\`\`text\n${report.trim()}\n\`\`\`\n`),
  ].join('\n')
}

/** A full run: every peer, every scenario, default sizes or larger; only such a run rewrites BENCHMARKS.md. */
export function isFullRun(options: BenchOptions, peerCount: number): boolean {
  return !options.smoke && options.only === null && options.peers.length === peerCount
}

export interface Written { readonly markdown: string; readonly json: string; readonly svg: string; readonly benchmarks: string | null }

/** Writes `<resultsDir>/<stamp>.{md,json,svg}` and, when `benchmarksPath` is given, BENCHMARKS.md. */
export async function writeRun(doc: RunDocument, resultsDir: string, stamp: string, benchmarksPath: string | null): Promise<Written> {
  await fs.promises.mkdir(resultsDir, { recursive: true })
  const file = (ext: string): string => path.join(resultsDir, `${stamp}.${ext}`)
  const title = `nodedb's ratio to the best peer (> 1×: nodedb better), ${doc.startedAt.toISOString().slice(0, 10)}, ` +
    `${doc.machine.cpus} cores`
  await fs.promises.writeFile(file('svg'), ratioChart(comparisons(doc.results), title))
  await fs.promises.writeFile(file('json'), `${JSON.stringify({ ...doc, startedAt: doc.startedAt.toISOString() }, null, 1)}\n`)
  await fs.promises.writeFile(file('md'), runMarkdown(doc, `${stamp}.svg`, `nodedb bench, ${stamp}`))
  if (benchmarksPath !== null) {
    const chart = path.relative(path.dirname(benchmarksPath), file('svg'))
    await fs.promises.writeFile(benchmarksPath, runMarkdown(doc, chart, 'Benchmarks: the latest full run of `npm run bench`'))
  }
  return { markdown: file('md'), json: file('json'), svg: file('svg'), benchmarks: benchmarksPath }
}
