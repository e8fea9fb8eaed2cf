// Goal: rows become columns that appear on first use (earlier and later rows absent), tag values share one
// dictionary, a refused line leaves no trace (not even the columns it would have created), and lines of a cached
// series (whose tag ids the builder keeps per series) and of one field shape (written without resolving a name) give
// the very batches that looking up each value gives, and take that shortcut.
// Method: parseLines on small literal inputs; assertions on the raw LineBatch arrays; for the series ids and shapes,
// random line orders parsed by one warm parser, against the same input with every line's series and shape removed;
// the shortcut counted through the slow path's resolveFields.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { LineBatchBuilder } from '../../../../wire/ilp/line-batch-builder.js'
import { LineParser } from '../../../../wire/ilp/line-parser.js'
import type { LineBatch } from '../../../../wire/ilp/line-batch.js'

function batchesOf(text: string): { batches: LineBatch[]; codes: string[] } {
  const result = parseLines(Buffer.from(text), { precision: 's', nowUs: 0 })
  return { batches: result.batches, codes: result.errors.map((e) => e.code) }
}

describe('wire/ilp/line-batch-builder', function () {
  it('adds columns on first use, marking other rows absent, one batch per measurement', function () {
    const { batches, codes } = batchesOf('m,h=a f=1 1\nn g=1i 2\nm,h=b,r=x s="z",b=t 3\nm,h=a f=2 4\n')
    assert.deepEqual(codes, [])
    assert.deepStrictEqual(batches, [
      {
        measurement: 'm',
        rowCount: 3,
        timestampsUs: new Float64Array([1e6, 3e6, 4e6]),
        lineNumbers: new Uint32Array([1, 3, 4]),
        columns: [
          { kind: 'tag', name: 'h', ids: new Int32Array([0, 1, 0]), dict: ['a', 'b'] },
          { kind: 'float', name: 'f', values: new Float64Array([1, 0, 2]), nulls: new Uint8Array([0, 1, 0]) },
          { kind: 'tag', name: 'r', ids: new Int32Array([-1, 0, -1]), dict: ['x'] },
          { kind: 'string', name: 's', values: [null, 'z', null] },
          { kind: 'boolean', name: 'b', values: new Uint8Array([0, 1, 0]), nulls: new Uint8Array([1, 0, 1]) },
        ],
      },
      {
        measurement: 'n',
        rowCount: 1,
        timestampsUs: new Float64Array([2e6]),
        lineNumbers: new Uint32Array([2]),
        columns: [{ kind: 'integer', name: 'g', values: new BigInt64Array([1n]), nulls: new Uint8Array([0]) }],
      },
    ])
  })

  it('grows past the initial capacity', function () {
    const lines = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? `m,t=v${i % 7} u=${i}u ${i}` : `m x=${i} ${i}`))
    const { batches, codes } = batchesOf(lines.join('\n'))
    assert.deepEqual(codes, [])
    const [batch] = batches
    assert.equal(batch?.rowCount, 1000)
    const u = batch?.columns.find((c) => c.name === 'u')
    assert.ok(u?.kind === 'unsigned')
    assert.equal(u.values[999], 999n)
    assert.equal(u.nulls[998], 1)
    assert.equal(batch?.timestampsUs[999], 999e6)
  })

  it('leaves no column behind for a refused line', function () {
    const { batches, codes } = batchesOf('m f=1\nm new=1,f=1i\nm,t=a,t=b g=1\n')
    assert.deepEqual(codes, ['TypeConflict', 'DuplicateTag'])
    assert.deepEqual(batches[0]?.columns.map((c) => c.name), ['f'])
    assert.equal(batches[0]?.rowCount, 1)
  })

  it('does not reuse a column dropped with a refused line for the next line', function () {
    const { batches, codes } = batchesOf('m f=1\nm,t=a f=1i\nm,t=b f=2\n')
    assert.deepEqual(codes, ['TypeConflict'])
    assert.deepStrictEqual(batches[0]?.columns[1], { kind: 'tag', name: 't', ids: new Int32Array([-1, 0]), dict: ['b'] })
  })

  it('does not create a batch for a measurement whose only line was refused', function () {
    const { batches, codes } = batchesOf('m,t=a,t=b f=1\n')
    assert.deepEqual(codes, ['DuplicateTag'])
    assert.deepEqual(batches, [])
  })

  it('writes a known series with the previous line\'s float fields without resolving them, from its second line on', function () {
    // The shortcut is what keeps the builder cheap on TSBS-like input: counted, so losing it fails here, not in a bench.
    const hosts = 50
    const text = Array.from({ length: 4 * hosts }, (_, i) =>
      `cpu,host=h${i % hosts},rack=${i % hosts % 7} usage_user=${i}.5,usage_idle=-${i % 13},usage_nice=0.${i} ${i}`).join('\n')
    let slowCount = 0
    let denseCount = 0
    const builder = LineBatchBuilder.prototype as unknown as { resolveFields: (...args: unknown[]) => boolean; appendDense: (...args: unknown[]) => void }
    const { resolveFields, appendDense } = builder
    builder.resolveFields = function (this: unknown, ...args: unknown[]) {
      slowCount++
      return resolveFields.apply(this, args)
    }
    builder.appendDense = function (this: unknown, ...args: unknown[]) {
      denseCount++
      appendDense.apply(this, args)
    }
    try {
      const parser = new LineParser('s')
      const first = parseLines(Buffer.from(text), { precision: 's', nowUs: 0 }, parser)
      assert.equal(first.batches[0]!.rowCount, 4 * hosts)
      // A series' first line is parsed tag by tag (not yet a known series), its second marks it in the batch.
      assert.equal(slowCount, 2 * hosts)
      slowCount = 0
      denseCount = 0
      const second = parseLines(Buffer.from(text), { precision: 's', nowUs: 0, rowCountHint: 4 * hosts }, parser)
      assert.equal(slowCount, hosts) // a warm parser: each series' first line in a new batch marks it there
      // Every line writes every column: with room for all rows, each line not resolved goes straight into the arrays.
      assert.equal(denseCount, 3 * hosts)
      assert.deepStrictEqual(second, first)
    } finally {
      builder.resolveFields = resolveFields
      builder.appendDense = appendDense
    }
  })

  it('lines of cached series give the batches that per-value lookups give, refused lines and new columns included', function () {
    const lines = ['cpu,host=a,rack=1 f=1', 'cpu,host=b,rack=1 f=2', 'cpu,host=a,rack=2 f=3', 'cpu,host=c f=4,g=1i', 'cpu,host=a,rack=1 g=2',
      'cpu,host=b,rack=1 f="x"', 'cpu,host=a,rack=1 h=1,host=1', 'cpu,host=a,host=b f=1', 'mem,host=a,rack=1 f=1', 'cpu,rack=1,host=a f=5',
      'cpu,host=b,rack=1 new=1,f=t', 'cpu,host=d,rack=3 f=6',
      // Lines of one field shape (the same float fields in order) but other series, duplicates and near misses.
      'cpu,host=a,rack=1 f=1,h=2', 'cpu,host=b,rack=1 f=3,h=4 7', 'cpu,host=c f=1,f=2', 'cpu,host=a,rack=2 f=5,f=6',
      'cpu,host=b,rack=1 f=1,h=2i', 'cpu,host=a,rack=1 h=1,f=2', 'cpu,host=d,rack=3 f=1,rack=2', 'cpu,host=a,rack=1 f=1,h=2 x']
    const parse = fc.array(fc.constantFrom(...lines), { minLength: 1, maxLength: 50 })
    // Room for 1, 3, 8 or all rows (or the default), so dense runs meet a column's end and start again after it grows.
    const hints = fc.constantFrom(undefined, 1, 3, 8, 50)
    fc.assert(fc.property(parse, fc.integer({ min: 1, max: 3 }), hints, (order, requests, rowCountHint) => {
      const text = Buffer.from(order.join('\n'))
      const options = { precision: 's', nowUs: 0, ...(rowCountHint === undefined ? {} : { rowCountHint }) } as const
      const warm = new LineParser('s')
      const cached = Array.from({ length: requests }, () => parseLines(text, options, warm))
      const parse = LineParser.prototype.parse
      LineParser.prototype.parse = function (this: LineParser, ...args: Parameters<typeof parse>) {
        const result = parse.apply(this, args)
        this.line.series = null
        this.line.fieldShape = null
        return result
      }
      try {
        for (const result of cached) assert.deepStrictEqual(result, parseLines(text, options))
      } finally {
        LineParser.prototype.parse = parse
      }
    }), { numRuns: 300 })
  })
})
