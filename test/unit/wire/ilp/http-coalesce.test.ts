// Goal: the HTTP coalescers' building blocks are exact. Slicing a payload's rows out of a parse of several payloads
// side by side gives what parsing that payload alone gives; joining the separate parses gives what parsing them side
// by side gives; the line count the parse coalescer splits by is the parser's own; the HTTP budget admits in order
// and only within its bound. Method: the real parser is the oracle (parseLines on each body alone and on the join).
// (Concurrent requests against the real server: test/integration/ilp-http-coalesce.test.ts.)
import assert from 'node:assert/strict'
import { concatBatches, sliceBatch } from '../../../../wire/ilp/batch-concat.js'
import { IlpHttpBudget } from '../../../../wire/ilp/http-budget.js'
import { lineCountOf } from '../../../../wire/ilp/http-parse-coalescer.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import type { LineBatch } from '../../../../wire/ilp/line-batch.js'
import { parseBodies, requestParts } from '../../../../wire/ilp/request-parts.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }

/** Bodies of one measurement with varying tags, fields present or not, blank and comment lines, no final '\n'. */
const BODIES = [
  'cpu,host=a,rack=r1 v=1.5,n=3i,ok=true,s="x" 1700000000000000000\n\n# comment\ncpu,host=b v=2 1700000000000001000\n',
  'cpu,host=c,dc=eu n=7i,u=5u 1700000000000002000\ncpu,host=a v=-0.25,s="y" 1700000000000003000',
  'cpu v=9 1700000000000004000\r\ncpu,rack=r2,host=b ok=false 1700000000000005000\n',
]

/** A batch as plain data (typed arrays as arrays) for deepEqual. */
function plain(batch: LineBatch | null): unknown {
  if (batch === null) return null
  const arrays = (value: unknown): unknown => ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value
  return {
    measurement: batch.measurement, rowCount: batch.rowCount, timestampsUs: arrays(batch.timestampsUs), lineNumbers: arrays(batch.lineNumbers),
    columns: batch.columns.map((column) => Object.fromEntries(Object.entries(column).map(([key, value]) => [key, arrays(value)]))),
  }
}

/** A tag column's values per row (ids depend on the dictionary's order; the values must not). */
function tagValues(batch: LineBatch): Record<string, Array<string | null>> {
  const out: Record<string, Array<string | null>> = {}
  for (const column of batch.columns) {
    if (column.kind === 'tag') out[column.name] = Array.from(column.ids, (id) => id < 0 ? null : column.dict[id]!)
  }
  return out
}

describe('wire/ilp/http coalescing (issue 10)', function () {
  it('counts lines as the parser does', function () {
    for (const body of [...BODIES, '', '\n', 'a v=1', 'a v=1\n\n\nb v=2']) {
      assert.equal(lineCountOf(Buffer.from(body)), parseLines(Buffer.from(body), OPTIONS).lineCount, JSON.stringify(body))
    }
  })

  it('says which body each row of the side-by-side parse came from, as each body parsed alone says', function () {
    // Two measurements, one of them absent from the middle body: its rows must not be credited to that body.
    const bodies = [...BODIES, 'mem,host=a used=1i 1\n', BODIES[0]!, 'mem used=2i 2']
    const withNewline = bodies.map((body) => body.endsWith('\n') ? body : `${body}\n`)
    const joined = parseLines(Buffer.from(withNewline.join('')), OPTIONS)
    // The worker parses the bodies without joining them: the same result as the joined copy.
    assert.deepStrictEqual(parseBodies(bodies.map((body) => Buffer.from(body)), OPTIONS), joined)
    const lineCounts = bodies.map((body) => lineCountOf(Buffer.from(body)))
    assert.deepEqual(lineCounts, bodies.map((body) => parseLines(Buffer.from(body), OPTIONS).lineCount))
    const parts = requestParts(lineCounts, joined.batches)
    joined.batches.forEach((batch, b) => {
      const alone = bodies.map((body) => parseLines(Buffer.from(body), OPTIONS).batches.find((one) => one.measurement === batch.measurement)?.rowCount ?? 0)
      assert.deepEqual(parts.rows[b], alone, batch.measurement)
    })
  })

  it('a body sliced out of the side-by-side parse is the body parsed alone, line numbers included', function () {
    const joined = parseLines(Buffer.from(BODIES.map((body) => body.endsWith('\n') ? body : `${body}\n`).join('')), OPTIONS)
    assert.equal(joined.errorCount, 0)
    let lineFrom = 0
    for (const body of BODIES) {
      const alone = parseLines(Buffer.from(body), OPTIONS)
      const lineTo = lineFrom + lineCountOf(Buffer.from(body))
      const slice = sliceBatch(joined.batches[0]!, lineFrom, lineTo)!
      assert.deepEqual(Array.from(slice.lineNumbers), Array.from(alone.batches[0]!.lineNumbers))
      assert.deepEqual(Array.from(slice.timestampsUs), Array.from(alone.batches[0]!.timestampsUs))
      assert.deepEqual(slice.columns.map((column) => column.name).sort(), alone.batches[0]!.columns.map((column) => column.name).sort())
      assert.deepEqual(tagValues(slice), tagValues(alone.batches[0]!))
      const fieldsOnly = (batch: LineBatch): unknown => plain({ ...batch, columns: batch.columns.filter((column) => column.kind !== 'tag') })
      const byName = (batch: LineBatch): LineBatch => ({ ...batch, columns: [...batch.columns].sort((a, b) => a.name.localeCompare(b.name)) })
      assert.deepEqual(fieldsOnly(byName(slice)), fieldsOnly(byName(alone.batches[0]!)))
      lineFrom = lineTo
    }
    assert.equal(sliceBatch(joined.batches[0]!, lineFrom, lineFrom + 5), null, 'no rows past the last line')
  })

  it('joining the bodies\' separate parses gives the side-by-side parse', function () {
    const parts = BODIES.map((body) => parseLines(Buffer.from(body), OPTIONS).batches[0]!)
    let lineOffset = 0
    const offsets = BODIES.map((body) => {
      const at = lineOffset
      lineOffset += lineCountOf(Buffer.from(body))
      return at
    })
    const joined = concatBatches(parts.map((batch, i) => ({ batch, lineOffset: offsets[i]! })))
    const oracle = parseLines(Buffer.from(BODIES.map((body) => body.endsWith('\n') ? body : `${body}\n`).join('')), OPTIONS).batches[0]!
    assert.deepEqual(tagValues(joined), tagValues(oracle))
    const fieldsOnly = (batch: LineBatch): unknown => plain({ ...batch, columns: batch.columns.filter((column) => column.kind !== 'tag') })
    assert.deepEqual(fieldsOnly(joined), fieldsOnly(oracle))
  })

  it('the HTTP budget admits in arrival order within its bound, and alone what is larger', async function () {
    const budget = new IlpHttpBudget(100)
    const admitted: string[] = []
    await budget.admit(150) // larger than the budget, but nothing is held
    const a = budget.admit(10).then(() => admitted.push('a'))
    const b = budget.admit(80).then(() => admitted.push('b'))
    const c = budget.admit(5).then(() => admitted.push('c')) // fits, but waits behind b: no overtaking
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(admitted, [])
    budget.release(150)
    await Promise.all([a, b, c])
    assert.deepEqual(admitted, ['a', 'b', 'c'])
    assert.equal(budget.bytes, 95)
    assert.equal(budget.bytesPeak, 150)
    assert.equal(budget.waitCount, 3)
    assert.throws(() => budget.release(96), /release of 96/)
  })
})
