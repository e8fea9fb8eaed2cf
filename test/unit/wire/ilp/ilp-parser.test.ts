// Goal: the resumable IlpParser gives exactly the result of one parseLines call however the input is chunked, bounds
// the partial line it keeps, converts every precision to µs (ns truncated toward -∞), and drains incrementally.
// Method: a multi-line input with every kind of line, split at every byte offset, fed byte by byte and at random
// split points (fast-check); precision tables with the edges of the exact-µs range.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type IlpParseOptions, type IlpParseResult, IlpParser, parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { ILP_PRECISIONS, type IlpPrecision } from '../../../../wire/ilp/ilp-precision.js'
import { rowsOf } from './ilp-rows.js'

const OPTIONS: IlpParseOptions = { precision: 'ns', nowUs: 5, lineBytesMax: 70 }
const MIXED_INPUT = Buffer.from([
  '# comment',
  'cpu,host=a,region=eu\\ west usage=1.5,idle=2i 1700000000000000123',
  '',
  'cpu,host=b usage=3,state="ok, \\"fine\\"" -1500\r',
  'mem,host=a free=10u,ok=true',
  'cpu usage=1i',
  'x'.repeat(100) + ' f=1',
  'm,t=é😀 f=' + '1'.repeat(70 - Buffer.byteLength('m,t=é😀 f=')),
  'm,t=é😀 f=' + '1'.repeat(71 - Buffer.byteLength('m,t=é😀 f=')),
  'bad line',
  '  \t',
  'cpu,host=c usage=4',
].join('\n'), 'utf8')

function feedChunks(chunks: ReadonlyArray<Buffer>, options: IlpParseOptions = OPTIONS): IlpParseResult {
  const parser = new IlpParser(options)
  for (const chunk of chunks) parser.feed(chunk)
  return parser.end()
}

function splitAt(input: Buffer, offsets: ReadonlyArray<number>): Buffer[] {
  const chunks: Buffer[] = []
  let start = 0
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    chunks.push(Buffer.from(input.subarray(start, offset)))
    start = offset
  }
  chunks.push(Buffer.from(input.subarray(start)))
  return chunks
}

describe('wire/ilp/ilp-parser', function () {
  const whole = parseLines(MIXED_INPUT, OPTIONS)

  it('parses the mixed input as expected (the reference for the chunking tests)', function () {
    assert.equal(whole.lineCount, 12)
    assert.deepEqual(whole.errors, [
      { line: 6, column: 5, code: 'TypeConflict' },
      { line: 7, column: 71, code: 'LineTooLong' },
      { line: 9, column: 71, code: 'LineTooLong' },
      { line: 10, column: 9, code: 'BadFieldKey' },
    ])
    assert.deepEqual(whole.batches.map((b) => [b.measurement, b.rowCount]), [['cpu', 3], ['mem', 1], ['m', 1]])
  })

  it('gives the same result for a split at every byte offset', function () {
    for (let offset = 0; offset <= MIXED_INPUT.length; offset++) {
      assert.deepStrictEqual(feedChunks(splitAt(MIXED_INPUT, [offset])), whole, `split at ${offset}`)
    }
  })

  it('gives the same result with any row count hint (arrays sized up front, handed over when exactly full)', function () {
    for (const rowCountHint of [0, 1, 3, 5, 12, 13, 1000]) {
      assert.deepStrictEqual(parseLines(MIXED_INPUT, { ...OPTIONS, rowCountHint }), whole, `hint ${rowCountHint}`)
    }
    const exact = Buffer.from('m,t=a f=1,g=2i 1\nm,t=b f=2,s="x" 2\nm,t=a f=3 3\n')
    const full = parseLines(exact, { ...OPTIONS, rowCountHint: 3 })
    assert.deepStrictEqual(full, parseLines(exact, OPTIONS))
    assert.equal(full.batches[0]!.timestampsUs.buffer.byteLength, 3 * 8, 'exactly full: no spare capacity retained')
  })

  it('gives the same result fed one byte at a time', function () {
    const bytes = Array.from(MIXED_INPUT, (byte) => Buffer.from([byte]))
    assert.deepStrictEqual(feedChunks(bytes), whole)
  })

  it('gives the same result for random splits into many chunks', function () {
    fc.assert(fc.property(fc.array(fc.nat(MIXED_INPUT.length), { maxLength: 12 }), (offsets) => {
      assert.deepStrictEqual(feedChunks(splitAt(MIXED_INPUT, offsets)), whole)
    }))
  })

  it('never keeps more than lineBytesMax bytes of a partial line, and resumes after its newline', function () {
    const parser = new IlpParser({ ...OPTIONS, lineBytesMax: 8 })
    parser.feed(Buffer.from('m f=1\nlonglonglong'))
    parser.feed(Buffer.from('longer'))
    parser.feed(Buffer.from('still\nm f=2\nm f=3'))
    const result = parser.end()
    assert.deepEqual(result.errors, [{ line: 2, column: 9, code: 'LineTooLong' }])
    assert.deepEqual(rowsOf(result.batches).map((r) => r.fields['f']), [1, 2, 3].map((value) => ({ kind: 'float', value })))
    assert.equal(result.lineCount, 4)
  })

  it('drains batches from complete lines while keeping the partial one, with line numbers running on', function () {
    const parser = new IlpParser(OPTIONS)
    parser.feed(Buffer.from('a f=1\nbad\na f='))
    const first = parser.drain()
    assert.equal(first.lineCount, 2)
    assert.deepEqual(first.errors, [{ line: 2, column: 4, code: 'MissingFields' }])
    assert.equal(first.batches[0]?.rowCount, 1)
    parser.setNowUs(9)
    parser.feed(Buffer.from('2\nbad\n'))
    const second = parser.end()
    assert.equal(second.lineCount, 2)
    assert.deepEqual(second.errors, [{ line: 4, column: 4, code: 'MissingFields' }])
    assert.deepEqual(rowsOf(second.batches), [{ measurement: 'a', timestampUs: 9, tags: {}, fields: { f: { kind: 'float', value: 2 } } }])
  })

  it('keeps at most ILP_ERRORS_KEPT_MAX_COUNT errors but counts them all', function () {
    const result = parseLines(Buffer.from('bad\n'.repeat(1500)), OPTIONS)
    assert.equal(result.errors.length, 1000)
    assert.equal(result.errorCount, 1500)
  })
})

describe('wire/ilp precisions', function () {
  const MAX = Number.MAX_SAFE_INTEGER
  const cases: ReadonlyArray<readonly [IlpPrecision, string, number | 'TimestampOutOfRange']> = [
    ['ns', '1500', 1], ['ns', '999', 0], ['ns', '-1', -1], ['ns', '-1500', -2], ['ns', '-1000', -1], ['ns', '0', 0],
    ['ns', '-0', 0], ['ns', `${MAX}999`, MAX], ['ns', `${MAX + 1}000`, 'TimestampOutOfRange'],
    ['ns', `-${MAX}000`, -MAX], ['ns', `-${MAX}001`, 'TimestampOutOfRange'],
    ['n', '1500', 1],
    ['us', '1500', 1500], ['u', '-7', -7], ['us', `${MAX}`, MAX], ['us', `${MAX + 1}`, 'TimestampOutOfRange'],
    ['ms', '1500', 1_500_000], ['ms', '-2', -2000], ['ms', '9007199254740', 9007199254740000],
    ['ms', '9007199254741', 'TimestampOutOfRange'],
    ['s', '2', 2_000_000], ['s', '-2', -2_000_000], ['s', '9007199254', 9007199254000000],
    ['s', '9007199255', 'TimestampOutOfRange'],
    ['m', '2', 120_000_000], ['m', '-1', -60_000_000],
    ['h', '2', 7_200_000_000], ['h', '-1', -3_600_000_000], ['h', '2501999', 9007196400000000], ['h', '2502000', 'TimestampOutOfRange'],
  ]
  for (const [precision, timestamp, expected] of cases) {
    it(`${precision}: ${timestamp} → ${expected}`, function () {
      const result = parseLines(Buffer.from(`m f=1 ${timestamp}`), { precision, nowUs: 5 })
      if (expected === 'TimestampOutOfRange') {
        assert.deepEqual(result.errors, [{ line: 1, column: 7, code: 'TimestampOutOfRange' }])
      } else {
        assert.deepEqual(result.errors, [])
        assert.ok(Object.is(result.batches[0]?.timestampsUs[0], expected))
      }
    })
  }

  it('gives every precision the caller-supplied now for a line without a timestamp', function () {
    for (const precision of ILP_PRECISIONS) {
      const result = parseLines(Buffer.from('m f=1'), { precision, nowUs: 1_700_000_000_000_000 })
      assert.equal(result.batches[0]?.timestampsUs[0], 1_700_000_000_000_000)
    }
  })
})
