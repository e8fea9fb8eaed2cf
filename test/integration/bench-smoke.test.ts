// Goal: `npm run bench -- --smoke` keeps working — every scenario of bench/ runs to the end on tiny data against
// nodedb alone and reports a value for each, writes its results (markdown, JSON, SVG chart) to a temp dir and leaves
// BENCHMARKS.md alone, so the bench cannot rot between the runs that measure speed; and its table marks a query whose
// answers differ INVALID, so a fast wrong answer cannot show as a win. Method: the built bench (dist/bench/run.js
// --smoke) as a child process, its exit code, the JSON it prints and the files it names checked; the table from the
// bench's own report code over a run where one system answered other rows. Nothing is timed: speed is measured by
// the bench itself, never asserted in tests.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { markdownTable } from '../../bench/report/table.js'
import { fingerprint, runMeasurements, type QueryRun } from '../../bench/scenarios/tsbs-report.js'
import type { Cell } from '../../bench/peers/query-engines.js'

const RUN_JS = path.resolve(__dirname, '../../bench/run.js')
const BENCHMARKS_MD = path.resolve(__dirname, '../../../BENCHMARKS.md')

interface BenchOutput { readonly results: ReadonlyArray<{ readonly scenario: string; readonly system: string; readonly value: number; readonly note?: string }> }

/** The JSON document bench/run.ts prints between its progress lines and its table. */
function benchJson(stdout: string): BenchOutput {
  const start = stdout.indexOf('\n{')
  const end = stdout.indexOf('\n}', start)
  assert.ok(start >= 0 && end > start, `no JSON in the bench output:\n${stdout.slice(0, 2000)}`)
  return JSON.parse(stdout.slice(start + 1, end + 2)) as BenchOutput
}

const readOrNull = (file: string): string | null => fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null

describe('bench: --smoke', function () {
  this.timeout(300_000)

  it('runs every scenario on nodedb, reports a value for each and writes its results to a temp dir only', async () => {
    const benchmarksBefore = readOrNull(BENCHMARKS_MD)
    const { stdout } = await promisify(execFile)(process.execPath, [RUN_JS, '--smoke'], { maxBuffer: 64 * 1024 * 1024 })
    const { results } = benchJson(stdout)
    const ours = results.filter((r) => r.system === 'nodedb')
    assert.ok(ours.length >= 10, `only ${ours.length} nodedb measurements`)
    const failed = ours.filter((r) => r.note !== undefined && !(r.value > 0))
    assert.deepEqual(failed, [], 'scenarios that failed on nodedb')
    for (const scenario of ['sql-insert-ingest', 'ilp-tcp-ingest', 'select1-p99-during-sort', 'ilp-tcp-ingest/cpu', 'tsbs/load-cpu', 'tsbs/disk-settled',
      'ilp-http-ingest/client-cpu', 'tsbs/load-client-cpu']) {
      assert.ok(ours.some((r) => r.scenario === scenario), `no ${scenario} measurement`)
    }
    const files = /\nresults: (\S+\.md), (\S+\.json), (\S+\.svg)\n/.exec(stdout)
    assert.ok(files !== null, 'no results line')
    const [markdown, json, svg] = [files[1]!, files[2]!, files[3]!]
    try {
      assert.ok(markdown.startsWith(os.tmpdir()), `smoke results written outside the temp dir: ${markdown}`)
      assert.deepEqual((JSON.parse(fs.readFileSync(json, 'utf8')) as BenchOutput).results, results)
      const table = fs.readFileSync(markdown, 'utf8')
      for (const scenario of new Set(ours.map((r) => r.scenario))) assert.ok(table.includes(`| ${scenario} |`), `no ${scenario} row in ${markdown}`)
      assert.match(fs.readFileSync(svg, 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    } finally {
      fs.rmSync(path.dirname(markdown), { recursive: true, force: true })
    }
    assert.equal(readOrNull(BENCHMARKS_MD), benchmarksBefore, '--smoke rewrote BENCHMARKS.md')
  })

  it('marks a query INVALID, with no ratio, when a system answers other rows than nodedb (fixed or varied parameters)', () => {
    const run = (system: string, query: string, medianMs: number, answer: Cell[][], varied: Cell[][] = answer): QueryRun =>
      ({ system, query, medianMs, p95Ms: medianMs, runs: 3, error: null, answer, fingerprints: new Map([[1, fingerprint(varied)]]), unsupported: false })
    const queries = ['agrees', 'differs', 'differs-varied']
    const runs = [
      run('nodedb', 'agrees', 10, [[1, 'a'], [2, 'b']]), run('duckdb', 'agrees', 5, [[2, 'b'], [1, 'a']]),
      run('nodedb', 'differs', 10, [[1, 'a']]), run('duckdb', 'differs', 1, [[2, 'a']]),
      run('nodedb', 'differs-varied', 10, [[1, 'a']], [[1, 'a'], [3, 'c']]), run('duckdb', 'differs-varied', 1, [[1, 'a']], [[1, 'a']]),
    ]
    const rows = markdownTable(runMeasurements(runs, queries)).split('\n')
    const row = (query: string): string => rows.find((line) => line.startsWith(`| tsbs/${query} |`)) ?? ''
    assert.match(row('agrees'), /vs duckdb/)
    for (const query of ['differs', 'differs-varied']) {
      assert.match(row(query), /INVALID/)
      assert.doesNotMatch(row(query), /×/)
    }
  })
})
