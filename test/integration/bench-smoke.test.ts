// Goal: `npm run bench -- --smoke` keeps working — every scenario of bench/ runs to the end on tiny data against
// nodedb alone and reports a value for each, so the bench cannot rot between the runs that measure speed. Method: the
// built bench (dist/bench/run.js --smoke) as a child process; its exit code and the JSON it prints are checked.
// Nothing is timed: speed is measured by the bench itself, never asserted in tests.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'

const RUN_JS = path.resolve(__dirname, '../../bench/run.js')

interface BenchOutput { readonly results: ReadonlyArray<{ readonly scenario: string; readonly system: string; readonly value: number; readonly note?: string }> }

/** The JSON document bench/run.ts prints between its progress lines and its table. */
function benchJson(stdout: string): BenchOutput {
  const start = stdout.indexOf('\n{')
  const end = stdout.indexOf('\n}', start)
  assert.ok(start >= 0 && end > start, `no JSON in the bench output:\n${stdout.slice(0, 2000)}`)
  return JSON.parse(stdout.slice(start + 1, end + 2)) as BenchOutput
}

describe('bench: --smoke', function () {
  this.timeout(300_000)

  it('runs every scenario on nodedb and reports a value for each', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [RUN_JS, '--smoke'], { maxBuffer: 64 * 1024 * 1024 })
    const { results } = benchJson(stdout)
    const ours = results.filter((r) => r.system === 'nodedb')
    assert.ok(ours.length >= 10, `only ${ours.length} nodedb measurements`)
    const failed = ours.filter((r) => r.note !== undefined && !(r.value > 0))
    assert.deepEqual(failed, [], 'scenarios that failed on nodedb')
    for (const scenario of ['sql-insert-ingest', 'ilp-tcp-ingest', 'select1-p99-during-sort']) {
      assert.ok(ours.some((r) => r.scenario.includes(scenario)), `no ${scenario} measurement`)
    }
  })
})
