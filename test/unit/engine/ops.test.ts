// Goal: pin the numeric codes that are written to disk or sent across rings, so a change cannot slip in unnoticed.
// Method: compare each code table with its literal expected value; adding a kind must extend these literals. Also
// doubleBelow (where a time bucket's times end) against the next-lower bit pattern taken with BigInt arithmetic.
import assert from 'node:assert/strict'
import { COLUMN_KIND_CODES } from '../../../engine/batch.js'
import { CORE_REQUEST_KINDS, CORE_RESPONSE_KINDS } from '../../../engine/bridge/messages.js'
import { OP_KIND_CODES, OP_VERSION, doubleBelow, droppedColumnName } from '../../../engine/ops.js'
import { WAL_RECORD_KIND_CODES } from '../../../engine/wal/record.js'

describe('engine/ops codes', () => {
  it('pins OP_KIND_CODES and OP_VERSION', () => {
    assert.deepStrictEqual({ ...OP_KIND_CODES }, {
      CreateTableOp: 1, IngestOp: 2, ScanOp: 3, AddColumnsOp: 4, SetRetentionOp: 5, DropTableOp: 6, TruncateTableOp: 7,
      RenameTableOp: 8, RenameColumnOp: 9, DropColumnOp: 10, DeleteRowsOp: 11, SetColumnDefaultOp: 12,
    })
    assert.equal(OP_VERSION, 1)
  })

  it('pins the dropped-column name (it is written to catalog.json)', () => {
    assert.equal(droppedColumnName(3), '........pg.dropped.3........')
  })

  it('pins COLUMN_KIND_CODES', () => {
    assert.deepStrictEqual({ ...COLUMN_KIND_CODES }, { timestamp: 1, symbol: 2, f64: 3, i64: 4, bool: 5, text: 6 })
  })

  it('pins WAL_RECORD_KIND_CODES', () => {
    assert.deepStrictEqual({ ...WAL_RECORD_KIND_CODES }, { IngestRecord: 1, DeleteRecord: 2, PartRecord: 3, CommitRecord: 4 })
  })

  it('pins the ring message kinds, in order (append-only)', () => {
    assert.deepStrictEqual([...CORE_REQUEST_KINDS], [
      'RegisterTableRequest', 'ApplyIngestRequest', 'ApplyRawIngestRequest', 'ScanRequest', 'ShutdownRequest', 'CommitFlushRequest',
      'FlushRequest', 'CompactRequest', 'DropTableRowsRequest', 'StreamScanRequest', 'ScanCreditRequest', 'ScanCancelRequest',
      'HoldFlushesRequest', 'DeleteRowsRequest', 'RewriteSegmentRequest', 'ApplyCoreIngestRequest',
    ])
    assert.deepStrictEqual([...CORE_RESPONSE_KINDS], [
      'DoneResponse', 'ScanResponse', 'FailureResponse', 'AppliedResponse', 'CompactResponse', 'ScanBatchResponse', 'RewriteResponse',
    ])
  })

  it('doubleBelow is the next double down, across word borrows, signs, subnormals and infinities', () => {
    const bits = new BigInt64Array(1)
    const asDouble = new Float64Array(bits.buffer)
    const reference = (x: number): number => {
      if (Number.isNaN(x) || x === Number.NEGATIVE_INFINITY) return x
      if (x === 0) return -Number.MIN_VALUE
      asDouble[0] = x
      bits[0] += x > 0 ? -1n : 1n
      return asDouble[0]!
    }
    const edges = [0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY, Number.NaN, 1, -1, 2 ** 32, 2 ** 52, 2 ** 53, -(2 ** 33), 1704067200000000, 1704067260000000]
    let state = 12345
    const random = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state }
    // Random bit patterns, half of them with the low word 0 (the borrow or carry into the high word).
    const patterns = Array.from({ length: 2000 }, (_, i) => {
      bits[0] = (BigInt(random()) << 32n) | BigInt(i % 2 === 0 ? 0 : random())
      return asDouble[0]!
    })
    for (const x of [...edges, ...patterns]) assert.ok(Object.is(doubleBelow(x), reference(x)), `doubleBelow(${x})`)
  })
})
