// Goal: GroupWrite answers each request of a group as sql.ingest of its rows alone would: a write that fails reaches
// only the requests with rows in it (a failure never reaches a request whose rows were written), and refused lines
// go back to their own request, renumbered. Method: three bodies parsed side by side by the real parser, their parts
// from requestParts; sql is an in-test facade (FakeSql) whose ingest refuses the 'mem' table and one 'cpu' line per
// request, since failures of the real engine (disk full) are what the crash and disk tests inject, not this one.
import assert from 'node:assert/strict'
import type { IngestBatch, IngestOptions, IngestOutcome } from '../../../../sql/api.js'
import { GroupWrite } from '../../../../wire/ilp/http-group-write.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { lineCountOf, requestParts } from '../../../../wire/ilp/request-parts.js'
import { FakeSql } from '../fake-sql.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }

/** Refuses every 'mem' write (as a disk-full engine would) and, of 'cpu', the rows whose field v is 13. */
class RefusingSql extends FakeSql {
  readonly calls: Array<{ measurement: string; errorsKeptMax: number | undefined }> = []

  override async ingest(batches: ReadonlyArray<IngestBatch>, options?: IngestOptions): Promise<IngestOutcome> {
    const batch = batches[0]!
    this.calls.push({ measurement: batch.measurement, errorsKeptMax: options?.errorsKeptMax })
    if (batch.measurement === 'mem') throw new Error('no space left for mem')
    const v = batch.columns.find((column) => column.name === 'v')
    const refused: number[] = []
    for (let row = 0; row < batch.rowCount; row++) if (v?.kind === 'float' && v.values[row] === 13) refused.push(batch.lineNumbers[row]!)
    const errors = refused.map((line) => ({ line, code: 'TypeConflict' as const, message: `line ${line} refused` }))
    return { rowCount: batch.rowCount - errors.length, errors, errorCount: errors.length }
  }
}

describe('wire/ilp/http-group-write (issue 10)', function () {
  it('fails only the requests with rows in a failed write; refused lines go to their request, renumbered', async function () {
    const bodies = [
      'cpu v=1 1\ncpu v=13 2\n', // its second line refused
      'cpu v=2 3\nmem used=1i 4\n', // has rows in the failing write
      '\ncpu v=13 5\ncpu v=3 6\ncpu v=13 7\n', // a blank line first: its refused lines are 2 and 4
    ]
    const input = Buffer.from(bodies.join(''))
    const parsed = parseLines(input, OPTIONS)
    const parts = requestParts(bodies.map((body) => lineCountOf(Buffer.from(body))), parsed.batches)
    const sql = new RefusingSql()
    const settled: string[] = []
    const write = new GroupWrite(sql, parsed.batches, parts, (batch) => settled.push(batch.measurement))
    const lines = (outcome: IngestOutcome): number[] => outcome.errors.map((error) => error.line)
    const first = await write.outcomeOf(0)
    assert.deepEqual({ rowCount: first.rowCount, errorCount: first.errorCount, lines: lines(first) }, { rowCount: 1, errorCount: 1, lines: [2] })
    await assert.rejects(write.outcomeOf(1), /no space left for mem/)
    const third = await write.outcomeOf(2)
    assert.deepEqual({ rowCount: third.rowCount, errorCount: third.errorCount, lines: lines(third) }, { rowCount: 1, errorCount: 2, lines: [2, 4] })
    assert.deepEqual(sql.calls.map((call) => call.measurement), ['cpu', 'mem'], 'one write per measurement for the whole group')
    assert.ok(sql.calls.every((call) => (call.errorsKeptMax ?? 0) >= 7), 'every refused line of the group is kept')
    assert.deepEqual(settled.sort(), ['cpu', 'mem'], 'every batch is handed back once settled, failed or not')
  })
})
