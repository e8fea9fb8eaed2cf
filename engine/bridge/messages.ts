// engine/bridge/messages: what crosses a core's rings — requests (control → core) and responses (core → control).
// Plain data only; each request carries an id that its response echoes. Knows nothing of SQL or sockets.
import type { SegmentSpan } from '../timeseries/manifest.js'
import type { DataRowEncoding } from '../../src/common/datarow-encoder.js'
import type { Lsn, TableId } from '../../src/common/ids.js'
import type { EngineFailure, ScanSort } from '../api.js'
import type { ColumnBatch, RowsPartial, ScanPartial } from '../batch.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { DeletePredicate } from '../wal/delete-payload.js'

/** Sent at startup and on CREATE TABLE, to every core. */
export interface RegisterTableRequest { readonly kind: 'RegisterTableRequest'; readonly id: number; readonly table: TableSchema }

/**
 * The rows of one WAL record that this core owns: `vShards[i]` is the vShard of row i. Per vShard in LSN order
 * (design invariant 2). No path sends it since issue 10's per-core payloads (ApplyCoreIngestRequest); the core still
 * applies it, and its kind stays in CORE_REQUEST_KINDS (append-only).
 */
export interface ApplyIngestRequest {
  readonly kind: 'ApplyIngestRequest'
  readonly id: number
  readonly tableId: TableId
  readonly lsn: Lsn
  readonly batch: ColumnBatch
  readonly vShards: Uint16Array
}

/**
 * Replay: one WAL ingest record's payload as read from disk, sent to every core. Each core decodes and validates
 * it against its registered schema (a bad one answers 'Corrupt' naming the LSN), computes the vShards (vShardsOf)
 * and applies only the rows it owns (vShard mod `coreCount`) whose vShard `skipVShards` does not mark (1 = a
 * segment already holds it; null = none skipped), so the control thread only reads, checks and pushes bytes.
 */
export interface ApplyRawIngestRequest {
  readonly kind: 'ApplyRawIngestRequest'
  readonly id: number
  readonly tableId: TableId
  readonly lsn: Lsn
  readonly coreCount: number
  readonly payload: Uint8Array
  readonly skipVShards: Uint8Array | null
}

/**
 * Live ingest and catch-up: this core's rows of one WAL record, already grouped by vShard where they were encoded
 * (core-payloads.ts), so the core applies them without hashing or skipping a row. Per vShard in LSN order (inv. 2).
 */
export interface ApplyCoreIngestRequest {
  readonly kind: 'ApplyCoreIngestRequest'
  readonly id: number
  readonly tableId: TableId
  readonly lsn: Lsn
  readonly coreCount: number
  readonly payload: Uint8Array
}

/** Where one column chunk of a segment lies: `length` bytes at `offset` of the segment's file. */
export interface ChunkSlice { readonly column: number; readonly offset: number; readonly length: number }

/** One row group of a segment: the chunks of the columns a scan needs (the core's view of SegmentSlice.layout). */
export interface RowGroupSlice { readonly rowCount: number; readonly chunks: ReadonlyArray<ChunkSlice> }

/**
 * What a core needs of one segment for one work item: its row groups that survived pruning, and where their chunks
 * are. The core reads the chunks itself (those not in its decoded-chunk cache) through `fd`, a descriptor the
 * control thread holds open and pinned until the core has answered (segment-files.ts); null: the core opens `file`
 * by name for the request's duration (compaction and DELETE, which run inside maintain(): nothing is deleted then).
 */
export interface SegmentSlice {
  readonly file: string
  readonly fd: number | null
  /** Columns the segment was written with; table columns past it (added later) read as NULL. */
  readonly columnCount: number
  /** The columns whose chunks every row group of `layout` lists, in that order. */
  readonly columns: ReadonlyArray<number>
  readonly rowGroupCount: number
  /**
   * The row groups, flat (one typed array crosses the ring as its bytes, not as an object per chunk): per row group
   * its row count, then the offset and length of each of `columns`' chunks — 1 + 2 × columns.length numbers a group
   * (segment-slice-layout.ts reads and writes it).
   */
  readonly layout: Float64Array
}

/**
 * Scan the core's memtables plus `segments` (sliced by the control thread from the manifest's segments of this core's
 * vShards). A frozen memtable is scanned until its CommitFlushRequest, which the control thread sends before any scan
 * whose `segments` include the flushed rows, so no row is seen twice (design invariant 2).
 */
export interface ScanRequest {
  readonly kind: 'ScanRequest'
  readonly id: number
  readonly op: ScanOp
  readonly segments: ReadonlyArray<SegmentSlice>
}

/** Ends a flush: committed (the manifest lists its segments: drop the frozen memtables) or not (offer them again). */
export interface CommitFlushRequest {
  readonly kind: 'CommitFlushRequest'
  readonly id: number
  readonly flushId: number
  readonly isCommitted: boolean
}
/** The core answers, then leaves its loop and the worker exits. */
export interface ShutdownRequest { readonly kind: 'ShutdownRequest'; readonly id: number }

/** Flush whatever the memtables hold, budget or not: the WAL grew past its bound and these rows pin it. */
export interface FlushRequest { readonly kind: 'FlushRequest'; readonly id: number }

/** Merge these segments of one (table, vShard, partition) — every row group, every column — into one sorted segment. */
export interface CompactRequest {
  readonly kind: 'CompactRequest'
  readonly id: number
  readonly tableId: TableId
  readonly vShard: number
  readonly partitionStartUs: number
  readonly segments: ReadonlyArray<SegmentSlice>
}

/**
 * DROP TABLE and TRUNCATE: the core forgets every row of the table it holds, in active and frozen memtables (a flush
 * in flight that carries some is left out of the manifest at commit). `isUnregistering` (DROP) also forgets the
 * schema. Answered with an AppliedResponse: the core's memtable bytes and low water drop with the rows.
 */
export interface DropTableRowsRequest {
  readonly kind: 'DropTableRowsRequest'
  readonly id: number
  readonly tableId: TableId
  readonly isUnregistering: boolean
}

/**
 * A raw scan answered in batches (ScanBatchResponse, each echoing this `id`, the last with isLast) rather than one
 * ScanResponse. The core takes its snapshot of `segments`, frozen and active memtables (with their row counts) when
 * it receives the request, so the scan gate orders it against flush commits exactly as a ScanRequest (invariant 2).
 * It sends at most `creditCount` batches before it gets more credit (backpressure, invariant 4).
 */
export interface StreamScanRequest {
  readonly kind: 'StreamScanRequest'
  readonly id: number
  readonly op: ScanOp
  readonly segments: ReadonlyArray<SegmentSlice>
  readonly creditCount: number
  /** Set: each batch's rows go as DataRow bytes (RowsPartial.encoded), encoded on the core (src/common/datarow-encoder.ts). */
  readonly encoding?: DataRowEncoding
  /** Set (with `encoding`): the core sorts its rows first and each batch carries its rows' keys (RowsPartial.sortKeys). */
  readonly sort?: ScanSort
}

/** The consumer of stream `streamId` pulled batches: the core may send `creditCount` more. Not answered. */
export interface ScanCreditRequest { readonly kind: 'ScanCreditRequest'; readonly id: number; readonly streamId: number; readonly creditCount: number }

/**
 * Stops stream `streamId` (client gone, portal closed, LIMIT reached): the core drops its cursor and decoded row
 * groups and answers DoneResponse to this request's `id`; no batch of the stream follows that answer on the ring.
 */
export interface ScanCancelRequest { readonly kind: 'ScanCancelRequest'; readonly id: number; readonly streamId: number }

/**
 * DELETE, first step: while held the core offers no flush (not even a forced one), so once the flushes in flight have
 * committed no segment can appear that the DELETE's rewrite did not see. The DeleteRowsRequest releases it.
 */
export interface HoldFlushesRequest { readonly kind: 'HoldFlushesRequest'; readonly id: number; readonly isHeld: boolean }

/**
 * DELETE (DeleteRecord `lsn`): the rows of the table's active and frozen memtables that the predicate picks are gone,
 * and the flush hold is released. Answered with an AppliedResponse carrying `deletedCount`.
 */
export interface DeleteRowsRequest {
  readonly kind: 'DeleteRowsRequest'
  readonly id: number
  readonly tableId: TableId
  readonly lsn: Lsn
  readonly predicate: DeletePredicate
}

/** DELETE: one segment of this core's vShard — every row group, every column — rewritten without the picked rows. */
export interface RewriteSegmentRequest {
  readonly kind: 'RewriteSegmentRequest'
  readonly id: number
  readonly span: Pick<SegmentSpan, 'tableId' | 'vShard' | 'partitionStartUs'>
  readonly segment: SegmentSlice
  readonly predicate: DeletePredicate
}

export type CoreRequest =
  | RegisterTableRequest | ApplyIngestRequest | ApplyRawIngestRequest | ScanRequest | ShutdownRequest | CommitFlushRequest | FlushRequest
  | CompactRequest | DropTableRowsRequest | StreamScanRequest | ScanCreditRequest | ScanCancelRequest | HoldFlushesRequest
  | DeleteRowsRequest | RewriteSegmentRequest | ApplyCoreIngestRequest

export interface DoneResponse { readonly kind: 'DoneResponse'; readonly id: number }
export interface ScanResponse { readonly kind: 'ScanResponse'; readonly id: number; readonly partial: ScanPartial }
export interface FailureResponse { readonly kind: 'FailureResponse'; readonly id: number; readonly failure: EngineFailure }

/** One encoded segment of a flush: the rows of one (table, vShard, partition), sorted by (series, time). */
export interface EncodedSegment extends SegmentSpan {
  readonly bytes: Uint8Array
}

/** The rows of (tableId, vShard) up to `lsn` are all in this flush's segments. */
export interface FlushedLsn { readonly tableId: TableId; readonly vShard: number; readonly lsn: number }

/** Segments the core encoded from its frozen memtables; the control thread writes them and commits the manifest. */
export interface FlushOutput {
  readonly flushId: number
  readonly segments: ReadonlyArray<EncodedSegment>
  readonly flushedLsns: ReadonlyArray<FlushedLsn>
}

/**
 * Answer to ApplyIngestRequest and CommitFlushRequest: the core's memtable bytes (active + frozen), the lowest LSN
 * any of its memtables still holds rows of (0 = none: the WAL below is not needed by this core), and a flush when the
 * budget was reached (invariant 4).
 */
export interface AppliedResponse {
  readonly kind: 'AppliedResponse'
  readonly id: number
  readonly memtableBytes: number
  readonly lowWaterLsn: number
  readonly flush: FlushOutput | null
  /** DeleteRowsRequest only: the memtable rows deleted. */
  readonly deletedCount?: number
}

/** A RewriteSegmentRequest's result: rows deleted, and the rewritten segment (null: none left, or none deleted). */
export interface RewriteResponse {
  readonly kind: 'RewriteResponse'
  readonly id: number
  readonly deletedCount: number
  readonly segment: EncodedSegment | null
}

/** The merged segment of a CompactRequest (CPU work on the core; the control thread writes it). */
export interface CompactResponse { readonly kind: 'CompactResponse'; readonly id: number; readonly segment: EncodedSegment }

/** One batch of a StreamScanRequest (`id` is the stream's): at most SCAN_BATCH_ROWS_COUNT rows; isLast ends it. */
export interface ScanBatchResponse { readonly kind: 'ScanBatchResponse'; readonly id: number; readonly partial: RowsPartial; readonly isLast: boolean }

export type CoreResponse = DoneResponse | ScanResponse | FailureResponse | AppliedResponse | CompactResponse | ScanBatchResponse
  | RewriteResponse

// Kinds are append-only (a new kind goes at the end); the order is pinned by test/unit/engine/ops.test.ts.
export const CORE_REQUEST_KINDS: ReadonlySet<string> = new Set<CoreRequest['kind']>([
  'RegisterTableRequest', 'ApplyIngestRequest', 'ApplyRawIngestRequest', 'ScanRequest', 'ShutdownRequest', 'CommitFlushRequest', 'FlushRequest', 'CompactRequest',
  'DropTableRowsRequest', 'StreamScanRequest', 'ScanCreditRequest', 'ScanCancelRequest', 'HoldFlushesRequest',
  'DeleteRowsRequest', 'RewriteSegmentRequest', 'ApplyCoreIngestRequest',
])
export const CORE_RESPONSE_KINDS: ReadonlySet<string> = new Set<CoreResponse['kind']>([
  'DoneResponse', 'ScanResponse', 'FailureResponse', 'AppliedResponse', 'CompactResponse', 'ScanBatchResponse',
  'RewriteResponse',
])
