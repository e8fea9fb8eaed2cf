// Goal: bodies of several connections writing at once are parsed and written as one group (one pool job, one
// sql.ingest per measurement), each answered as alone, while a lone writer's body is never held back, and a writer that
// went quiet stops being waited for. Method: the real ParseCoalescer over a real parse pool and a recording SqlFacade,
// with a hold long enough (60 s) that a lone writer's body held back would time the test out; ActiveWriters with an
// injected clock.
import assert from 'node:assert/strict'
import { ILP_PARSE_POOL_BYTES_MIN } from '../../../../src/common/limits.js'
import { ParseCoalescer } from '../../../../wire/ilp/http-parse-coalescer.js'
import { ActiveWriters } from '../../../../wire/ilp/http-writers.js'
import { IlpParsePool } from '../../../../wire/ilp/parse-pool.js'
import { FakeSql } from '../fake-sql.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }
const HOLD_MS = 60_000

/** A body the pool parses (ILP_PARSE_POOL_BYTES_MIN or more) of writer `w`. */
function bodyOf(w: number): Buffer {
  const lines: string[] = []
  let bytes = 0
  for (let i = 0; bytes < ILP_PARSE_POOL_BYTES_MIN; i++) {
    lines.push(`cpu,host=w${w} v=${i} ${1_700_000_000_000_000_000 + i}\n`)
    bytes += lines[i]!.length
  }
  return Buffer.from(lines.join(''))
}

describe('wire/ilp/http-writers (issue 10)', function () {
  this.timeout(30_000)
  let pool: IlpParsePool
  beforeEach(function () { pool = new IlpParsePool({ size: 1 }) })
  afterEach(async function () { await pool.close() })

  it('a lone writer is not held back', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS)
    const writer = {}
    for (let round = 0; round < 3; round++) {
      const parsed = await coalescer.parse(bodyOf(0), OPTIONS, false, writer)
      assert.equal((await parsed.written!()).errorCount, 0)
    }
    assert.equal(coalescer.requestCount, 3)
  })

  it('the bodies of two writers wait for each other and go as one group, each answered as alone', async function () {
    const sql = new FakeSql()
    // A writer's last body waits up to the hold for the other's, which never comes: a short hold ends the test.
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, 200)
    const rounds = 4
    // Each writer as a client: its next body only once its previous one was answered.
    const write = async (w: number): Promise<void> => {
      const writer = {}
      for (let round = 0; round < rounds; round++) {
        const parsed = await coalescer.parse(bodyOf(w), OPTIONS, false, writer)
        const outcome = await parsed.written!()
        assert.deepEqual({ rows: outcome.rowCount, errors: outcome.errorCount }, { rows: parsed.parsed.lineCount, errors: 0 })
      }
    }
    await Promise.all([write(1), write(2)])
    assert.equal(coalescer.requestCount, 2 * rounds)
    // Without the hold the two writers fall into turns (one parses while the other is written): a call each.
    assert.ok(sql.ingested.length < 2 * rounds, `${sql.ingested.length} writes for ${2 * rounds} bodies`)
  })

  it('counts a writer while it wrote within the window, and forgets it after', function () {
    let nowMs = 0
    const writers = new ActiveWriters(1000, () => nowMs)
    const [a, b] = [{}, {}]
    writers.note(a)
    nowMs = 600
    writers.note(b)
    assert.equal(writers.count, 2)
    nowMs = 1200
    assert.equal(writers.count, 1, 'a is quiet for longer than the window')
    writers.note(a)
    nowMs = 1700
    assert.equal(writers.count, 1, 'b is forgotten, a wrote again')
  })
})
