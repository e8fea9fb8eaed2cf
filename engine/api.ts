// engine/api: the contract of the storage engine as sql sees it. Everything that crosses it is plain data.
// The engine knows nothing of SQL text or sockets; failures are EngineFailure values that sql maps to SQLSTATEs.
import type { DataRowEncoding } from '../src/common/datarow-encoder.js'
import type { Lsn, TableId } from '../src/common/ids.js'
import type { ColumnBatch, RowsPartial, ScanPartial } from './batch.js'
import type {
  AddColumnsOp, CreateTableOp, DeleteRowsOp, DropColumnOp, DropTableOp, IngestOp, RenameColumnOp, RenameTableOp, ScanOp, SetColumnDefaultOp, SetRetentionOp,
  TableSchema, TimeseriesOp, TruncateTableOp,
} from './ops.js'

/** Record payloads encoded where the rows were parsed (a worker): IngestOp.encoded. */
export { encodeIngestAhead, encodedTransferables, type EncodedIngest } from './encoded-ingest.js'
export { IngestEncodeBuffers } from './wal/ingest-payload.js'

export type FsyncMode = 'always' | 'batch' | 'off'

export interface EngineConfig {
  readonly dataDir: string
  /** Worker threads, each a CoreLoop owning vShard mod coreCount. */
  readonly coreCount: number
  /** Memtable byte budget per core, in MiB. */
  readonly memtableMb: number
  /** Decoded segment-chunk cache per core, in MiB (`--cache-mb`); CORE_DECODED_CHUNK_CACHE_BYTES when absent. */
  readonly chunkCacheMb?: number
  /** Nice increment each core thread takes at startup (`--core-nice`); 0 or absent: the process's priority. */
  readonly coreNice?: number
  readonly fsync: FsyncMode
  /** Ingest is refused below this many free MiB on the data volume (issue 12); undefined = the default reserve. */
  readonly diskReserveMb?: number
}

export type EngineFailureKind =
  | 'DiskFull' | 'MemoryBudget' | 'Corrupt' | 'Cancelled' | 'ShuttingDown'
  | 'TableExists' | 'NoSuchTable' | 'InvalidBatch' | 'LimitExceeded' | 'Io'
  // Data errors a scan expression raises on a core (engine/timeseries/expr-kernels.ts); detail is the message.
  | 'DivisionByZero' | 'NumericOutOfRange'
  // An op this node cannot run exactly (0A000), e.g. DDL a sync edge cannot propagate (issue 11); detail says why.
  | 'NotSupported'

/** A view as the catalog keeps it: its id comes from the tables' sequence (never reused), so its OID is unique. */
export interface ViewSchema {
  readonly id: number
  readonly name: string
  /** sql's definition (JSON), stored and returned as it was given. */
  readonly definition: unknown
}

export interface EngineFailure {
  readonly kind: EngineFailureKind
  readonly detail: string
}

/** The one error type the engine rejects with for operating errors; anything else is a bug. */
export class EngineFailureError extends Error {
  readonly failure: EngineFailure
  constructor(failure: EngineFailure) {
    super(`${failure.kind}: ${failure.detail}`)
    this.name = 'EngineFailureError'
    this.failure = failure
  }
}

/**
 * InvalidBatch's detail for ±infinity in the designated timestamp: PostgreSQL stores it, nodedb's partitions and
 * time ranges cannot, so sql answers it as a missing feature (0A000) rather than a malformed batch.
 */
export const INFINITE_DESIGNATED_TIMESTAMP = 'an infinite value in the designated timestamp column'

export function isEngineFailureError(value: unknown): value is EngineFailureError {
  return value instanceof EngineFailureError
}

export interface CreateTableResult { readonly kind: 'CreateTableResult'; readonly table: TableSchema; readonly created: boolean }
export interface IngestResult { readonly kind: 'IngestResult'; readonly rowCount: number; readonly lsn: Lsn }
export interface ScanResult { readonly kind: 'ScanResult'; readonly partials: ReadonlyArray<ScanPartial> }
/** `table` is the schema after the op; `addedCount` of the op's columns were new (the others already existed). */
export interface AddColumnsResult { readonly kind: 'AddColumnsResult'; readonly table: TableSchema; readonly addedCount: number }
/** `table` is the schema with its new retention. */
export interface SetRetentionResult { readonly kind: 'SetRetentionResult'; readonly table: TableSchema }
/** DROP TABLE done: the table is gone from the catalog, the cores and the manifest. */
export interface DropTableResult { readonly kind: 'DropTableResult' }
/** TRUNCATE done: `table` is unchanged, its rows are gone. */
export interface TruncateTableResult { readonly kind: 'TruncateTableResult'; readonly table: TableSchema }
/** DELETE done: `rowCount` rows were deleted (exactly: segments rewritten or dropped plus memtable rows). */
export interface DeleteRowsResult { readonly kind: 'DeleteRowsResult'; readonly rowCount: number }
/** RenameTableOp, RenameColumnOp, DropColumnOp, SetColumnDefaultOp: `table` is the schema after the op. */
export interface AlterTableResult { readonly kind: 'AlterTableResult'; readonly table: TableSchema }
export type OpResult =
  | CreateTableResult | IngestResult | ScanResult | AddColumnsResult | SetRetentionResult | DropTableResult
  | TruncateTableResult | AlterTableResult | DeleteRowsResult

/** Maps each op kind to its result, so execute() is typed per op. */
export type ResultOf<T extends TimeseriesOp> =
  T extends CreateTableOp ? CreateTableResult : T extends IngestOp ? IngestResult : T extends ScanOp ? ScanResult
    : T extends AddColumnsOp ? AddColumnsResult : T extends SetRetentionOp ? SetRetentionResult
      : T extends DropTableOp ? DropTableResult : T extends TruncateTableOp ? TruncateTableResult
        : T extends RenameTableOp | RenameColumnOp | DropColumnOp | SetColumnDefaultOp ? AlterTableResult : T extends DeleteRowsOp ? DeleteRowsResult : never

export interface EngineStats {
  readonly coreCount: number
  readonly lsnDurable: Lsn
  readonly replayedRecordCount: number
  /** Segments the manifest lists (optional: engines without segments, e.g. test fakes, leave it out). */
  readonly segmentCount?: number
  /** Bytes the memtables (active + frozen) of every core held at their last report (0 after flushAll on an idle engine). */
  readonly memtableBytes?: number
  /** Flushes committed since open. */
  readonly flushCount?: number
  /** Closed WAL segments not yet deleted by a checkpoint. */
  readonly walClosedSegmentCount?: number
  /** WAL records applied by the catch-up path since open (invariant 3). */
  readonly catchUpRecordCount?: number
  /** Cores restarted (and rebuilt from segments + WAL) after a crash, since open. */
  readonly coreRestartCount?: number
  /** Background compactions committed since open. */
  readonly compactionCount?: number
  /** Segments dropped by retention (TTL) since open. */
  readonly retentionDropCount?: number
  /** Streaming scans stopped before their end (consumer gone, LIMIT reached, abort) since open. */
  readonly scanStreamCancelledCount?: number
  /** Cores a whole (not streamed) scan left out: no segment slice for them and empty memtables. */
  readonly scanCoreSkippedCount?: number
  /** Streaming scans running now (not finished, not cancelled). */
  readonly scanStreamOpenCount?: number
  /** Segment row groups inside a scan's time range skipped because their chunk stats proved no row passes. */
  readonly rowGroupsPrunedCount?: number
  /** Segment row groups whose chunk stats answered a scan's count/min/max (nothing of them read or decoded). */
  readonly rowGroupsAnsweredCount?: number
  /** Segment row groups read for scans (and sent to cores to decode) since open. */
  readonly rowGroupsReadCount?: number
  /** Segment column chunks read for scans since open. */
  readonly chunksReadCount?: number
}

/** 'Writable'; 'DiskFull' (ingest refused until the probe succeeds and the reserve is free); 'Failed' (fsync failed). */
export type DiskState = 'Writable' | 'DiskFull' | 'Failed'

/** Background writers whose failures the status shows: they keep their inputs and retry (with backoff). */
export type BackgroundTask = 'flush' | 'compaction' | 'catalog' | 'checkpoint' | 'retention'

export interface BackgroundFailure {
  readonly task: BackgroundTask
  /** Which writer of the task ('0' for core 0's flushes; '' when there is one). */
  readonly scope: string
  readonly detail: string
  /** Failures in a row since the last success. */
  readonly count: number
  readonly sinceMs: number
  /** When the next attempt runs by itself (ms since the epoch); null when it waits for a later trigger. */
  readonly nextRetryMs: number | null
}

/** Plain data for Engine.status() and SHOW nodedb_status. */
export interface DiskStatus {
  readonly state: DiskState
  /** Why writes are refused (undefined when writable). */
  readonly detail: string | undefined
  /** Free bytes for unprivileged writers at the last statfs (null: not known yet, or no statfs). */
  readonly freeBytes: number | null
  readonly totalBytes: number | null
  /** Ingest is refused when free bytes fall below this. */
  readonly reserveBytes: number
  /** Times writes were re-enabled by the probe since open. */
  readonly resumeCount: number
  readonly backgroundFailures: ReadonlyArray<BackgroundFailure>
}

/** The state of one sync chain: 'held' = stopped on purpose (a gap, a type conflict, a full outbox) until resolved. */
export type SyncChainState = 'connected' | 'offline' | 'held'

/** One row of nodedb_sync (issue 11): the edge's WAL chain, or on the cloud one edge incarnation's chain. */
export interface SyncChainStatus {
  readonly role: 'edge' | 'cloud'
  readonly nodeId: string
  /** Null on the cloud until the edge's first message arrives. */
  readonly incarnation: number | null
  /** The chain's subject suffix: 'wal' (the node's whole WAL, one chain). */
  readonly chain: string
  /** Edge: the last LSN its outbox stream holds; cloud: the edge's last LSN the cloud has seen (null: unknown yet). */
  readonly shippedLsn: number | null
  /** Edge: its durable WAL LSN; cloud: the high-water mark applied (and durable in the cloud's WAL). */
  readonly appliedLsn: number | null
  /** The last LSN the cloud has acknowledged (the edge may forget up to it). */
  readonly ackedLsn: number | null
  /** Edge: LSNs durable but not acknowledged by the cloud; cloud: messages on the edge's stream not yet acknowledged. */
  readonly lagRecords: number | null
  /** Age of the oldest record not acknowledged (0 when caught up; null: unknown). */
  readonly lagSeconds: number | null
  readonly gapsHeld: number
  readonly duplicatesSkipped: number
  /** Edge: writes (WAL appends) refused because the sync backlog was over --sync-wal-bytes. */
  readonly writesRefused: number
  readonly state: SyncChainState
  readonly lastError: string | null
  readonly lastErrorAtMs: number | null
}

/** Engine.syncStatus(): role null and no chains without --sync-role; `refusal` while ingest is refused for sync. */
export interface SyncStatus {
  readonly role: 'edge' | 'cloud' | null
  readonly chains: ReadonlyArray<SyncChainStatus>
  readonly refusal: string | null
}

export const NO_SYNC_STATUS: SyncStatus = { role: null, chains: [], refusal: null }

export interface ScanStreamOptions {
  /** Aborting stops every core's part of the scan (they drop their cursors) and ends the iteration. */
  readonly signal?: AbortSignal
  /**
   * The cores send each batch as ready DataRow messages of these result columns (RowsPartial.encoded), or as vectors
   * when a column has no columnar writer.
   */
  readonly encoding?: DataRowEncoding
  /**
   * Set (with `encoding`): each core sorts its rows by these keys before it sends any (engine/core/sort-scan.ts) and
   * the batches come out merged across cores in that order (engine/sorted-merge.ts), as DataRow bytes.
   */
  readonly sort?: ScanSort
}

/**
 * ORDER BY on the cores. `column` indexes the scan's projected columns; a key column's kind orders as: floats and
 * timestamps by value with NaN above every number, integers, bools (false < true), tags by their strings' UTF-16 code
 * units (the C collation's order for text, varchar and name, which is all sql sends here). NULLs go first or last as
 * each key says. Ties come in no promised order.
 */
export interface ScanSortKey {
  readonly column: number
  readonly descending: boolean
  readonly nullsFirst: boolean
}

export interface ScanSort {
  readonly keys: ReadonlyArray<ScanSortKey>
  /** A core holding more rows than this fails the stream with MemoryBudget (the statement's row budget). */
  readonly rowsMax: number
  /** Shown in a MemoryBudget failure's detail ("the sort of \"cpu\""). */
  readonly what: string
}

export interface Engine {
  /**
   * Runs one physical op. IngestOp resolves only after its WAL record is durable (per the fsync mode); the rows are
   * then visible to every later ScanOp. Rejects with EngineFailureError for operating errors.
   */
  execute<T extends TimeseriesOp>(op: T): Promise<ResultOf<T>>
  /**
   * A raw ScanOp (no group keys, no aggregates) answered in batches: RowsPartials of at most SCAN_BATCH_ROWS_COUNT
   * rows, in no particular order across cores, each core running at most SCAN_STREAM_BATCHES_AHEAD_COUNT batches
   * ahead of the consumer (invariant 4). Sees exactly the rows execute(op) would (invariant 2). Leaving the loop
   * early or aborting `options.signal` cancels the cores' work. Throws EngineFailureError as execute does.
   */
  scanStream(op: ScanOp, options?: ScanStreamOptions): AsyncIterable<RowsPartial>
  /** The catalog as persisted: every table, in creation order. */
  tables(): ReadonlyArray<TableSchema>
  /**
   * Views (CREATE VIEW): names and ids in the tables' namespace, each with sql's own definition, persisted with the
   * catalog and opaque to the engine. Optional so that test fakes need not implement them.
   */
  views?(): ReadonlyArray<ViewSchema>
  /** Persists a view (replacing one of that name when `orReplace`); 'TableExists' when a table or view has the name. */
  createView?(name: string, definition: unknown, orReplace: boolean): Promise<ViewSchema>
  /** Removes a view from the catalog; 'NoSuchTable' when there is none of that name. */
  dropView?(name: string): Promise<void>
  /**
   * Bytes of each table's segment files, as the manifest lists them (read-only; pg_relation_size and friends). Rows
   * not yet flushed are in the shared WAL and memtables and count once a flush writes them. Optional for test fakes.
   */
  tableSegmentBytes?(): ReadonlyMap<TableId, number>
  stats(): EngineStats
  /**
   * Whether writes are accepted, free space and the reserve, background writers failing (issue 12). Optional so
   * that test fakes need not implement it; openEngine's engine always does.
   */
  status?(): DiskStatus
  /** Edge-to-cloud sync (issue 11): plain data for nodedb_sync and SHOW nodedb_status; optional as status is. */
  syncStatus?(): SyncStatus
  /**
   * Several tables' rows as one commit (a transaction's COMMIT): after a crash all of them or none (the WAL's
   * multi-record commit), all visible once it resolves. Rejects as execute(IngestOp) does. Optional for fakes.
   */
  ingestAtomic?(parts: ReadonlyArray<{ readonly tableId: TableId; readonly batch: ColumnBatch }>): Promise<IngestResult>
  /**
   * CHECKPOINT: resolves once every row acknowledged before the call is in segments the manifest lists (memtables,
   * active and frozen, flushed whatever their size or age) and the WAL below them is checkpointed. Rejects with
   * EngineFailureError ('ShuttingDown', or 'Io' when segments cannot be written).
   */
  flushAll(): Promise<void>
  /** Stops accepting ops, waits for in-flight ones, flushes, stops the cores, releases the data dir. */
  close(): Promise<void>
}
