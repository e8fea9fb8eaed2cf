// Goal: the HTTP parse coalescer keeps as many groups in flight as its parse pool has workers (it used the machine's
// default pool size whatever the pool it was given: a pool of two parsed one body behind the other on 2 cores), and
// bodies parsed side by side on two workers are each written and answered as alone. Method: the real ParseCoalescer
// over a real two-worker parse pool and a recording SqlFacade; the bodies are handed over in one tick, so that they
// overlap is decided, not timed; the pool's started workers and the writes are counted.
import assert from 'node:assert/strict'
import { ILP_PARSE_POOL_BYTES_MIN } from '../../../../src/common/limits.js'
import { ParseCoalescer } from '../../../../wire/ilp/http-parse-coalescer.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { IlpParsePool } from '../../../../wire/ilp/parse-pool.js'
import { FakeSql } from '../fake-sql.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }

/** A body of writer `w` that the pool parses (ILP_PARSE_POOL_BYTES_MIN or more). */
function bodyOf(w: number): Buffer {
  const lines: string[] = []
  let total = 0
  for (let i = 0; total < ILP_PARSE_POOL_BYTES_MIN; i++) {
    lines.push(`cpu,host=w${w} v=${i} ${1_700_000_000_000_000_000 + i}\n`)
    total += lines[i]!.length
  }
  return Buffer.from(lines.join(''))
}

describe('wire/ilp/http-parse-coalescer: groups in flight as the pool has workers (issue 10)', function () {
  this.timeout(30_000)
  let pool: IlpParsePool
  beforeEach(function () { pool = new IlpParsePool({ size: 2 }) })
  afterEach(async function () { await pool.close() })

  it('two writers\' bodies parse on two workers at once, each written and answered as alone', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool)
    const bodies = [bodyOf(1), bodyOf(2)]
    const alone = bodies.map((body) => parseLines(Buffer.from(body), OPTIONS))
    const parsed = await Promise.all(bodies.map((body) => coalescer.parse(Buffer.from(body), OPTIONS, false, {})))
    for (const [i, request] of parsed.entries()) {
      const outcome = await request.written!()
      assert.deepEqual({ lines: request.parsed.lineCount, rows: outcome.rowCount, errors: outcome.errorCount },
        { lines: alone[i]!.lineCount, rows: alone[i]!.batches[0]!.rowCount, errors: 0 })
    }
    assert.equal(pool.startedCount, 2, 'the second body did not wait for the first one\'s worker')
    assert.equal(sql.ingested.length, 2)
  })
})
