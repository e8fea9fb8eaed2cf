// engine/core/core-storage: one core's data — active memtables per (table, vShard), frozen ones being flushed — and
// the CPU side of flush (sort, encode) and of scans over memtables plus segment row groups sliced for it (their
// chunks read here through the slices' descriptors: segment-decode.ts). Runs in a worker; knows nothing of manifests
// (the control thread writes segment files and lists them), rings or SQL.
import { assert } from '../../src/common/assert.js'
import type { TableId } from '../../src/common/ids.js'
import { MEMTABLE_FLUSH_AGE_MS, VSHARD_COUNT } from '../../src/common/limits.js'
import type { ColumnBatch, ScanPartial } from '../batch.js'
import type {
  ApplyIngestRequest, CompactRequest, EncodedSegment, FlushedLsn, FlushOutput, SegmentSlice,
} from '../bridge/messages.js'
import { withoutEmptyNullMaps, type CoreRows } from '../bridge/core-payloads.js'
import { gatherVector } from '../timeseries/gather.js'
import { EngineFailureError } from '../api.js'
import type { ScanOp, TableSchema } from '../ops.js'
import { Memtable } from '../timeseries/memtable.js'
import { sortMemtableByPartition } from '../timeseries/memtable-sort.js'
import { scanMemtables } from '../timeseries/scan.js'
import { ScanCursor, type ScanSource } from '../timeseries/scan-cursor.js'
import { DecodedChunkCache } from '../timeseries/chunk-cache.js'
import { decodeRowGroup, withSegmentFile } from '../timeseries/segment-decode.js'
import { rowGroupsOf } from '../timeseries/segment-slice-layout.js'
import { memtableWithout } from '../timeseries/delete-rows.js'
import {
  forgetBlocks, rowsBudgetBytes, rowsCount, scanMemtablesOf, scanSourcesOf, sealIfFull, wholeMemtable, type BlockedRows,
} from '../timeseries/memtable-blocks.js'
import type { DeletePredicate } from '../wal/delete-payload.js'
import { encodeSegment } from '../timeseries/segment-writer.js'

/**
 * Rows in memory with the WAL range they hold: every row of (tableId, vShard) with LSN in [firstLsn, lastLsn], as
 * packed blocks and the tail memtable appends go to (memtable-blocks.ts).
 */
interface LiveMemtable extends BlockedRows {
  readonly tableId: TableId
  readonly vShard: number
  readonly firstLsn: number
  lastLsn: number
  /** When its first row arrived (ms, the injected clock): a memtable older than MEMTABLE_FLUSH_AGE_MS is flushed. */
  readonly createdMs: number
}

interface CoreTable {
  schema: TableSchema
  readonly active: Map<number, LiveMemtable>
}

export interface CoreStorageOptions {
  readonly coreId: number
  readonly memtableBudgetBytes: number
  readonly partitionWidthUs: number
  /** Decoded-chunk cache budget (bytes, `--cache-mb`); CORE_DECODED_CHUNK_CACHE_BYTES when absent. */
  readonly chunkCacheBytes?: number
  /** Injected clock (ms) for the age of memtables. */
  readonly nowMs?: () => number
}

export class CoreStorage {
  private readonly tables = new Map<TableId, CoreTable>()
  private frozen: LiveMemtable[] = []
  private flushInFlight: number | undefined
  private nextFlushId = 1
  /** A flush failed: offer none by itself until a FlushRequest (the control side's retry timer) asks (issue 12). */
  private isRetryHeld = false
  /** A DELETE is between its HoldFlushesRequest and its DeleteRowsRequest: no flush is offered, not even a forced one. */
  private isFlushHeld = false
  /** Decoded segment chunks of earlier scans (segments are immutable), within its byte budget. */
  private readonly chunkCache: DecodedChunkCache
  // apply's counting sort: the start of each vShard's rows in `order`, the next free slot of each, the row order.
  private readonly starts = new Int32Array(VSHARD_COUNT + 1)
  private readonly fill = new Int32Array(VSHARD_COUNT)
  private order = new Int32Array(0)
  // apply's runs (one per vShard with rows) and applyCoreRows' row order (0, 1, 2, …: its rows come grouped).
  private readonly runVShards = new Uint16Array(VSHARD_COUNT)
  private readonly runEnds = new Int32Array(VSHARD_COUNT)
  private identity = new Int32Array(0)

  constructor(private readonly options: CoreStorageOptions) {
    this.chunkCache = new DecodedChunkCache(options.chunkCacheBytes)
  }

  registerTable(schema: TableSchema): void {
    const existing = this.tables.get(schema.id)
    if (existing === undefined) {
      this.tables.set(schema.id, { schema, active: new Map() })
      return
    }
    existing.schema = schema
    // AddColumnsOp: memtables holding rows of the old schema read NULL in the new columns. Frozen ones were already
    // encoded (their segments record their own column count), so extending them only affects scans of them.
    for (const live of existing.active.values()) live.memtable.addColumns(schema)
    for (const live of this.frozen) if (live.tableId === schema.id) live.memtable.addColumns(schema)
  }

  /**
   * DROP TABLE / TRUNCATE: the table's rows leave the active and frozen memtables. A flush in flight keeps its encoded
   * copy, which the control thread leaves out of the manifest; if that flush fails, what it offers again lacks them.
   */
  dropTableRows(tableId: TableId, isUnregistering: boolean): void {
    for (const live of this.frozen) if (live.tableId === tableId) forgetBlocks(live, this.chunkCache)
    this.frozen = this.frozen.filter((live) => live.tableId !== tableId)
    for (const live of this.tables.get(tableId)?.active.values() ?? []) forgetBlocks(live, this.chunkCache)
    this.tables.get(tableId)?.active.clear()
    if (isUnregistering) this.tables.delete(tableId)
  }

  holdFlushes(isHeld: boolean): void {
    this.isFlushHeld = isHeld
  }

  /**
   * DELETE: the picked rows leave the table's active and frozen memtables (a frozen one is not being flushed: the
   * control thread held flushes and waited for the one in flight); an emptied active memtable goes, so it pins no WAL.
   * Releases the flush hold. Returns the count of rows deleted.
   */
  deleteRows(tableId: TableId, predicate: DeletePredicate): number {
    this.isFlushHeld = false
    const table = this.tables.get(tableId)
    if (table === undefined) return 0
    let deletedCount = 0
    const prune = (live: LiveMemtable): void => {
      const result = memtableWithout(wholeMemtable(table.schema, live), predicate)
      if (result.deletedCount === 0) return
      // The rows left go back unpacked (the next append seals them again).
      forgetBlocks(live, this.chunkCache)
      Object.assign(live, { memtable: result.memtable, blocks: [], blocksBytes: 0, blocksUnpackedBytes: 0, isTailPinned: false })
      deletedCount += result.deletedCount
    }
    for (const live of this.frozen) if (live.tableId === tableId) prune(live)
    for (const [vShard, live] of table.active) {
      prune(live)
      if (rowsCount(live) === 0) table.active.delete(vShard)
    }
    return deletedCount
  }

  schemaOf(tableId: TableId): TableSchema | undefined {
    return this.tables.get(tableId)?.schema
  }

  /**
   * Appends the request's rows to their vShards' active memtables (the caller checked LSN order); with `owned`, only
   * the rows whose vShard it marks 1 (replay hands the whole record: this core's vShards not yet in a segment).
   */
  apply(request: Pick<ApplyIngestRequest, 'tableId' | 'lsn' | 'batch' | 'vShards'>, owned?: Uint8Array): void {
    const { vShards, batch } = request
    assert(vShards.length === batch.rowCount, 'one vShard per row')
    // Counting sort of row indices by vShard, so each memtable receives its rows in one append. Its arrays are the
    // core's scratch (nothing keeps them past this call), not fresh ArrayBuffers per record for the GC to find.
    const starts = this.starts.fill(0)
    for (let row = 0; row < batch.rowCount; row++) starts[vShards[row]! + 1]! += 1
    if (owned !== undefined) for (let v = 0; v < VSHARD_COUNT; v++) if (owned[v] !== 1) starts[v + 1] = 0
    let runCount = 0
    for (let v = 0; v < VSHARD_COUNT; v++) {
      const count = starts[v + 1]!
      starts[v + 1]! += starts[v]!
      if (count === 0) continue
      this.runVShards[runCount] = v
      this.runEnds[runCount++] = starts[v + 1]!
    }
    const order = this.scratchRows(starts[VSHARD_COUNT]!)
    const fill = this.fill
    fill.set(starts.subarray(0, VSHARD_COUNT))
    for (let row = 0; row < batch.rowCount; row++) if (owned === undefined || owned[vShards[row]!] === 1) order[fill[vShards[row]!]!++] = row
    this.applyRuns(request.tableId, request.lsn, batch, { runVShards: this.runVShards.subarray(0, runCount), runEnds: this.runEnds.subarray(0, runCount) }, order)
  }

  /**
   * Appends a core payload's rows (core-payloads.ts: already this core's only, grouped by vShard) to their vShards'
   * active memtables; the caller checked LSN order.
   */
  applyCoreRows(tableId: TableId, lsn: number, rows: CoreRows): void {
    const count = rows.batch.rowCount
    if (this.identity.length < count) {
      this.identity = new Int32Array(Math.max(count, 2 * this.identity.length))
      for (let i = 0; i < this.identity.length; i++) this.identity[i] = i
    }
    if (count > 0) this.applyRuns(tableId, lsn, rows.batch, rows, this.identity)
  }

  /** Scratch for `count` row indices, kept from one record to the next. */
  private scratchRows(count: number): Int32Array {
    if (this.order.length < count) this.order = new Int32Array(Math.max(count, 2 * this.order.length))
    return this.order
  }

  /** Run r's rows `order[runEnds[r - 1] (0 for the first), runEnds[r])` go to vShard runVShards[r]'s memtable. */
  private applyRuns(tableId: TableId, lsn: number, source: ColumnBatch, runs: Pick<CoreRows, 'runVShards' | 'runEnds'>, order: Int32Array): void {
    const table = this.tables.get(tableId)
    if (table === undefined) assert(false, `core ${this.options.coreId}: ingest into unregistered table ${tableId}`)
    const batch = withoutEmptyNullMaps(source)
    const targets: Array<{ readonly memtable: Memtable; readonly rows: Int32Array }> = []
    let columnCount = 0
    for (let r = 0; r < runs.runVShards.length; r++) {
      const v = runs.runVShards[r]!
      const start = r === 0 ? 0 : runs.runEnds[r - 1]!
      const count = runs.runEnds[r]! - start
      if (count === 0) continue
      let live = table.active.get(v)
      if (live === undefined) {
        live = {
          tableId, vShard: v, memtable: new Memtable(table.schema), firstLsn: lsn, lastLsn: 0,
          createdMs: this.nowMs(), blocks: [], blocksBytes: 0, blocksUnpackedBytes: 0,
        }
        table.active.set(v, live)
      }
      sealIfFull(live, count)
      live.memtable.reserveRows(batch, count)
      live.lastLsn = lsn
      targets.push({ memtable: live.memtable, rows: order.subarray(start, start + count) })
      columnCount = Math.max(columnCount, live.memtable.columnCount)
    }
    // Column by column across the memtables (issue 10): a batch's rows of one vShard are scattered through it, so
    // gathering memtable by memtable re-read every source column from memory for each vShard (~250 ns per TSBS row);
    // one column at a time stays in cache (~90 ns).
    for (let c = 0; c < columnCount; c++) {
      for (const { memtable, rows } of targets) if (c < memtable.columnCount) memtable.appendColumnRows(c, batch, rows, rows.length)
    }
    for (const { memtable, rows } of targets) memtable.commitRows(rows.length)
  }

  /** Bytes of active and frozen memtables, rows counted unpacked (rowsBudgetBytes: the budget of invariant 4). */
  memtableBytes(): number {
    let bytes = 0
    for (const live of this.frozen) bytes += rowsBudgetBytes(live)
    for (const table of this.tables.values()) for (const live of table.active.values()) bytes += rowsBudgetBytes(live)
    return bytes
  }

  /** The lowest LSN whose rows only memory holds (0 when no memtable holds rows): the WAL must keep it. */
  lowWaterLsn(): number {
    let low = Number.POSITIVE_INFINITY
    for (const live of this.frozen) low = Math.min(low, live.firstLsn)
    for (const table of this.tables.values()) for (const live of table.active.values()) low = Math.min(low, live.firstLsn)
    return Number.isFinite(low) ? low : 0
  }

  /**
   * When over budget and no flush is in flight: freezes every active memtable and encodes every frozen one into
   * segments (invariant 4: live ingest and replay flush the same way, since both arrive as ApplyIngestRequests).
   * `isForced` flushes whatever is held, budget or not (close, tests).
   */
  maybeFlush(isForced = false, memtableBytes = this.memtableBytes()): FlushOutput | null {
    // A retry asked for while a DELETE holds flushes is not lost: the hold's release offers the flush when it is due.
    if (isForced) this.isRetryHeld = false
    if (this.flushInFlight !== undefined || this.isFlushHeld) return null
    const isDue = memtableBytes > this.options.memtableBudgetBytes || this.oldestCreatedMs() + MEMTABLE_FLUSH_AGE_MS <= this.nowMs()
    if (!isForced && (!isDue || this.isRetryHeld)) return null
    for (const table of this.tables.values()) {
      for (const live of table.active.values()) if (rowsCount(live) > 0) this.frozen.push(live)
      table.active.clear()
    }
    if (this.frozen.length === 0) return null
    const flushId = this.nextFlushId++
    this.flushInFlight = flushId
    return { flushId, segments: this.frozen.flatMap((live) => this.encode(live)), flushedLsns: this.flushedLsns() }
  }

  /**
   * Committed: the manifest lists the segments, the frozen rows go. Not committed: the rows stay, and are offered
   * again when the control side's backoff timer sends a FlushRequest (not at every request meanwhile).
   */
  commitFlush(flushId: number, isCommitted: boolean): void {
    assert(this.flushInFlight === flushId, `core ${this.options.coreId}: commit of flush ${flushId}, in flight ${this.flushInFlight}`)
    this.flushInFlight = undefined
    if (isCommitted) {
      for (const live of this.frozen) forgetBlocks(live, this.chunkCache)
      this.frozen = []
    }
    this.isRetryHeld = !isCommitted
  }

  /** Segments first (oldest data), then frozen, then active memtables: each row lives in exactly one of them. */
  scan(op: ScanOp, segments: ReadonlyArray<SegmentSlice>): ScanPartial | undefined {
    const table = this.tables.get(op.tableId)
    if (table === undefined) return undefined
    this.chunkCache.beginScan()
    const memtables: Memtable[] = []
    for (const segment of segments) {
      for (const group of rowGroupsOf(segment)) memtables.push(decodeRowGroup(table.schema, segment, group, op, this.chunkCache))
    }
    for (const live of this.frozen) if (live.tableId === op.tableId) memtables.push(...scanMemtablesOf(table.schema, live, op, this.chunkCache))
    const active = [...table.active.values()].sort((a, b) => a.vShard - b.vShard)
    for (const live of active) memtables.push(...scanMemtablesOf(table.schema, live, op, this.chunkCache))
    return scanMemtables(table.schema, memtables, op)
  }

  /**
   * A streaming raw scan over the same sources, in the same order, as scan(): the snapshot is taken now (the row
   * counts of live memtables included), so rows that arrive later are not seen and a flush commit that drops a
   * frozen memtable does not take its rows from this scan (it keeps the memtable alive until the cursor ends).
   */
  openScanCursor(op: ScanOp, segments: ReadonlyArray<SegmentSlice>): ScanCursor | undefined {
    const table = this.tables.get(op.tableId)
    if (table === undefined) return undefined
    const schema = table.schema
    this.chunkCache.beginScan()
    const sources: ScanSource[] = []
    for (const segment of segments) {
      for (const group of rowGroupsOf(segment)) sources.push({ rowCount: group.rowCount, open: () => decodeRowGroup(schema, segment, group, op, this.chunkCache) })
    }
    const memtables = this.frozen.filter((live) => live.tableId === op.tableId)
    memtables.push(...[...table.active.values()].sort((a, b) => a.vShard - b.vShard))
    for (const live of memtables) sources.push(...scanSourcesOf(schema, live, op, this.chunkCache))
    return new ScanCursor(schema, op, sources)
  }

  /** Compaction's CPU side: decodes every row of the request's segments, sorts them and encodes one segment. */
  compact(request: CompactRequest): EncodedSegment {
    const table = this.tables.get(request.tableId)
    assert(table !== undefined, `core ${this.options.coreId}: compaction of unregistered table ${request.tableId}`)
    const merged = new Memtable(table.schema)
    for (const segment of request.segments) {
      for (const group of this.decodeSlice(table.schema, segment)) {
        const columns = group.schema.columns.map((column, c) => gatherVector(column.kind, [group.columns[c]!], {
          count: group.rowCount, tables: new Int32Array(group.rowCount), rows: Int32Array.from({ length: group.rowCount }, (_, i) => i),
        }))
        merged.appendRows({ rowCount: group.rowCount, columns }, Int32Array.from({ length: group.rowCount }, (_, i) => i), group.rowCount)
      }
    }
    const parts = sortMemtableByPartition(merged, this.options.partitionWidthUs)
    if (parts.length !== 1 || parts[0]!.partitionStartUs !== request.partitionStartUs) {
      // Segments written under another partition width: leave them as they are.
      throw new EngineFailureError({ kind: 'InvalidBatch', detail: 'compacted rows span several partitions' })
    }
    const encoded = encodeSegment({
      tableId: request.tableId, vShard: request.vShard, partitionStartUs: request.partitionStartUs,
      timestampIndex: table.schema.timestampIndex, columns: parts[0]!.columns,
    })
    return { tableId: request.tableId, vShard: request.vShard, partitionStartUs: request.partitionStartUs, ...encoded }
  }

  private decodeSlice(schema: TableSchema, segment: SegmentSlice): Memtable[] {
    // One descriptor for every row group (compaction's slices carry none: the file is opened here).
    return withSegmentFile(segment, (fdOf) => rowGroupsOf(segment).map((group) => decodeRowGroup(schema, { ...segment, fd: fdOf() }, group)))
  }

  private encode(live: LiveMemtable): EncodedSegment[] {
    const schema = live.memtable.schema
    return sortMemtableByPartition(wholeMemtable(schema, live), this.options.partitionWidthUs).map((part) => {
      const encoded = encodeSegment({
        tableId: live.tableId, vShard: live.vShard, partitionStartUs: part.partitionStartUs,
        timestampIndex: schema.timestampIndex, columns: part.columns,
      })
      return { tableId: live.tableId, vShard: live.vShard, partitionStartUs: part.partitionStartUs, ...encoded }
    })
  }

  private flushedLsns(): FlushedLsn[] {
    const byKey = new Map<string, FlushedLsn>()
    for (const live of this.frozen) {
      const key = `${live.tableId}/${live.vShard}`
      const lsn = Math.max(byKey.get(key)?.lsn ?? 0, live.lastLsn)
      byKey.set(key, { tableId: live.tableId, vShard: live.vShard, lsn })
    }
    return [...byKey.values()]
  }

  private oldestCreatedMs(): number {
    let oldest = Number.POSITIVE_INFINITY
    for (const table of this.tables.values()) for (const live of table.active.values()) oldest = Math.min(oldest, live.createdMs)
    return oldest
  }

  private nowMs(): number {
    return this.options.nowMs?.() ?? Date.now()
  }
}
