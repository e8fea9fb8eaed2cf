// Goal: pin the numeric codes that are written to disk or sent across rings, so a change cannot slip in unnoticed.
// Method: compare each code table with its literal expected value; adding a kind must extend these literals.
import assert from 'node:assert/strict'
import { COLUMN_KIND_CODES } from '../../../engine/batch.js'
import { CORE_REQUEST_KINDS, CORE_RESPONSE_KINDS } from '../../../engine/bridge/messages.js'
import { OP_KIND_CODES, OP_VERSION, droppedColumnName } from '../../../engine/ops.js'
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
      'HoldFlushesRequest', 'DeleteRowsRequest', 'RewriteSegmentRequest',
    ])
    assert.deepStrictEqual([...CORE_RESPONSE_KINDS], [
      'DoneResponse', 'ScanResponse', 'FailureResponse', 'AppliedResponse', 'CompactResponse', 'ScanBatchResponse', 'RewriteResponse',
    ])
  })
})
