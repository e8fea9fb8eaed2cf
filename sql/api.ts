// sql/api: the facade wire uses. Text in, typed rows out; sql owns parsing, binding, planning, the catalog views and
// merging of partial results. Everything that crosses this boundary is plain data (no classes, no closures), so wire
// can be tested against recorded results. Errors are DbError (src/common/errors.ts) with a SQLSTATE.
import type { BackendDirectory } from './api-backends.js'
import type { ColumnVector } from '../engine/batch.js'
import type { IngestAhead } from './ingest/ingest-ahead.js'
import type { EncodedDataRows, TextSettings } from '../src/common/datarow-encoder.js'
import type { DbError } from '../src/common/errors.js'

export type { ColumnVector }
export { notificationHub, type BackendActivity, type BackendDirectory, type NotificationHub } from './api-backends.js'

/** A PostgreSQL RowDescription field. Type OIDs are PostgreSQL's built-in ones only (../shared/clients.md §4.1). */
export interface FieldDescription {
  readonly name: string
  /** OID of the table the column comes from, or 0 for an expression. */
  readonly tableOid: number
  /** attnum of that column, or 0. */
  readonly columnAttr: number
  readonly typeOid: number
  /** pg_type.typlen: -1 for variable length. */
  readonly typeSize: number
  /** atttypmod, -1 when none. */
  readonly typeModifier: number
}

/**
 * One value of a result row, by the field's typeOid: bool 16 → boolean; int2/int4/oid/float4/float8 → number; int8 →
 * bigint; numeric → string (decimal text) or number; text-like 19/25/1042/1043 → string; timestamp/timestamptz → µs
 * since the Unix epoch (UTC; ±Infinity for 'infinity'), date → days since it, time → µs since midnight; timetz →
 * string (sql/expr/timetz.ts); interval → IntervalValue. NULL is null.
 */
export type SqlValue = null | boolean | number | bigint | string | IntervalValue

/**
 * An interval as PostgreSQL keeps it: months, days and microseconds, each signed and independent ('1 mon -2 days
 * 03:00:00'), because a month and a day have no fixed length in µs.
 */
export interface IntervalValue {
  readonly months: number
  readonly days: number
  readonly us: number
}

export type TransactionEffect = 'begin' | 'commit' | 'rollback'

/** One batch of result rows (at most SCAN_BATCH_ROWS_COUNT of them for a streamed scan). */
export type RowBatch = ReadonlyArray<ReadonlyArray<SqlValue>>

/**
 * The rows of a query as they are produced (cores scanning, rows evaluated batch by batch), so a large result never
 * sits in memory whole (design invariant 4). Iterate once. This is the one non-plain value sql/api.ts hands out: a
 * stream is not data but a running scan, and wire must be able to pull it at the client's pace and stop it.
 * - Leaving the iteration early (break, return()) or cancel() stops the scan on the cores and releases it.
 * - Rejects with DbError like execute(). cancel() makes a pending or later next() resolve done.
 */
export interface RowStream extends AsyncIterable<RowBatch> {
  /** Rows handed out so far; once the iteration is done, the count of the command tag ('SELECT n'). */
  readonly rowCount: number
  /** Stops the stream early (client gone, portal closed, CancelRequest); idempotent. */
  cancel(): void
  /**
   * Instead of iterating: the same batches, some of them as column vectors (a plain projection of scanned columns),
   * for a consumer that encodes columns itself (wire's DataRow encoder). Absent on streams that have only rows.
   */
  columnBatches?(encoding?: RowEncoding): AsyncIterator<RowBatch | ColumnRows | EncodedRowsBatch>
}

/**
 * How the consumer writes DataRows (per result column its type OID and format code; the session TimeZone, DateStyle, IntervalStyle): given to
 * columnBatches(), the cores encode a plain projection's rows themselves and hand EncodedRowsBatches.
 */
export interface RowEncoding extends TextSettings {
  readonly typeOids: ReadonlyArray<number>
  readonly formats: ReadonlyArray<number>
}

/**
 * Result rows [from, from + rowCount) of a core's batch as ready DataRow messages (src/common/datarow-encoder.ts):
 * row i is encoded.bytes [encoded.rowEnds[i - 1] ?? 0, encoded.rowEnds[i]).
 */
export interface EncodedRowsBatch {
  readonly kind: 'EncodedRows'
  readonly rowCount: number
  readonly from: number
  readonly encoded: EncodedDataRows
}

/**
 * Result rows as the cores' column vectors, one per result column, each of `rowCount` values (same meaning per
 * field typeOid as SqlValue: i64 vectors hold int2/int4/int8, timestamp vectors µs). Valid until the next batch.
 */
export interface ColumnRows {
  readonly kind: 'ColumnRows'
  readonly rowCount: number
  readonly columns: ReadonlyArray<ColumnVector>
  /** Rows [from, to) as SQL values, for a consumer that needs rows after all (FETCH, COPY). */
  rows(from: number, to: number): RowBatch
}

/**
 * COPY … FROM STDIN: wire answers CopyInResponse and hands the sink every CopyData payload in order, then CopyDone
 * (finish) or CopyFail (abort). Like RowStream this is not plain data: it is a COPY in progress that holds its rows
 * until finish() writes them all at once (one WAL record: atomic). Errors are DbError; after one the COPY is over.
 */
export interface CopyInSink {
  /** One CopyData payload (the bytes may be a view: the sink copies what it keeps). A promise to wait for when the sink yields. */
  write(data: Uint8Array): Promise<void> | undefined
  /** CopyDone: the rest is parsed and every row written durably; resolves with the command tag 'COPY n'. */
  finish(): Promise<string>
  /** CopyFail, a protocol error or the client gone: nothing of the COPY is written; idempotent. */
  abort(): void
  /** An error found between writes (a COPY parsed off the event loop): the COPY is over and the session reports it. */
  onFailure?(listener: (error: Error) => void): void
}

/** How COPY … TO STDOUT prints text and CSV rows (PostgreSQL's COPY options, checked by sql). */
export interface CopyTextFormat {
  readonly delimiter: string
  readonly nullString: string
  readonly quote: string
  readonly escape: string
  readonly header: boolean
  /** CSV: per output column, whether FORCE_QUOTE names it. */
  readonly forceQuote: ReadonlyArray<boolean>
}

export type CopyFormatName = 'text' | 'csv' | 'binary'

export type StatementResult =
  | {
      readonly kind: 'RowsResult'
      readonly fields: ReadonlyArray<FieldDescription>
      readonly rows: ReadonlyArray<ReadonlyArray<SqlValue>>
      /** e.g. 'SELECT 3' */
      readonly commandTag: string
      /** The same statement under the same session settings answers the same (sql/plan/plan-cache.ts isConstantPlan). */
      readonly isConstant?: boolean
    }
  | {
      /** A query whose rows are streamed: wire writes them as they come, the tag is 'SELECT ' + stream.rowCount. */
      readonly kind: 'RowStreamResult'
      readonly fields: ReadonlyArray<FieldDescription>
      readonly stream: RowStream
      /** The tag's verb: 'SELECT' when absent; 'FETCH' for the rows a cursor hands out. */
      readonly command?: string
      /** Rows of a BINARY cursor: binary in a simple Query too (the extended protocol's Bind formats still rule). */
      readonly isBinary?: boolean
    }
  | {
      readonly kind: 'CommandResult'
      /** As PostgreSQL writes it: 'INSERT 0 3', 'CREATE TABLE', 'SET', 'BEGIN', ... */
      readonly commandTag: string
      readonly transaction?: TransactionEffect
      /** WARNINGs to send as NoticeResponse before CommandComplete (e.g. SET LOCAL outside a transaction block). */
      readonly notices?: ReadonlyArray<DbError>
      /** What wire must do to its own session state: DEALLOCATE a prepared statement (null: all), DISCARD ALL, CLOSE a portal (null: all). */
      readonly sessionEffect?: SessionEffect
      /** SAVEPOINT / RELEASE / ROLLBACK TO: wire keeps the savepoints with the transaction block (I/T/E). */
      readonly savepoint?: SavepointEffect
    }
  | { readonly kind: 'CopyInResult'; readonly format: CopyFormatName; readonly columnCount: number; readonly sink: CopyInSink }
  | {
      /** COPY … TO STDOUT: wire prints `rows` in the format asked for; the tag is 'COPY n'. */
      readonly kind: 'CopyOutResult'
      readonly format: CopyFormatName
      readonly text: CopyTextFormat
      readonly rows: Extract<StatementResult, { kind: 'RowsResult' | 'RowStreamResult' }>
    }

export type SessionEffect =
  | { readonly kind: 'Deallocate'; readonly name: string | null } | { readonly kind: 'DiscardAll' }
  | { readonly kind: 'ClosePortal'; readonly name: string | null }
  | {
      /** DECLARE: the query already runs (a stream is held open, not materialized); wire keeps it as a portal. */
      readonly kind: 'DeclareCursor'
      readonly name: string
      readonly isBinary: boolean
      readonly isHold: boolean
      readonly rows: Extract<StatementResult, { kind: 'RowsResult' | 'RowStreamResult' }>
    }

export interface SavepointEffect { readonly action: 'savepoint' | 'release' | 'rollbackTo'; readonly name: string }

/** FETCH / MOVE: wire reads the cursor (a portal it keeps); `count` null for ALL. */
export interface CursorFetch { readonly cursor: string; readonly count: number | null; readonly isMove: boolean }

/** A parsed statement, opaque to wire (plain data; safe to cache per session by name). */
export interface PreparedStatement {
  readonly kind: 'PreparedStatement'
  /** The statement's own SQL text (one statement of a multi-statement Query). */
  readonly text: string
  /** Number of $n parameters referenced (highest n). */
  readonly paramCount: number
  /**
   * Set for BEGIN/COMMIT/ROLLBACK (and their synonyms), so wire can tell, before running it, which statements a
   * failed transaction still accepts (PostgreSQL runs only COMMIT/ROLLBACK there; the rest get 25P02).
   */
  readonly transaction: TransactionEffect | 'rollbackTo' | null
  /** FETCH / MOVE: wire answers it from its portal (sql.execute never sees it). */
  readonly cursorFetch?: CursorFetch
  /** A query that changes nothing (SELECT, SHOW, EXPLAIN): a cancel may abandon its work and answer 57014 at once. */
  readonly isReadOnly?: boolean
  /**
   * A query PostgreSQL analyses at Parse (SELECT, INSERT, DELETE): wire describes it then, so an unknown table or
   * column (42P01, 42703) answers the Parse itself. Utility statements are only looked at when they run.
   */
  readonly isAnalyzedAtParse?: boolean
  /** sql's own parsed form; wire must not look inside. */
  readonly parsed: unknown
}

export interface StatementDescription {
  /** Inferred (or declared) parameter type OIDs, one per $n. */
  readonly paramTypeOids: ReadonlyArray<number>
  /** null when the statement returns no rows (NoData). */
  readonly fields: ReadonlyArray<FieldDescription> | null
}

/** Per-connection state sql may read and change (SET/SHOW); wire owns its lifetime. */
export interface SessionContext {
  /** Lower-cased setting name → value. Starts with the startup packet's parameters and the reported defaults. */
  readonly settings: Map<string, string>
  readonly user: string
  readonly database: string
  /** The values RESET returns to: the startup packet's over the defaults (set by initSessionSettings). */
  resetValues?: ReadonlyMap<string, string>
  /** Inside a transaction block: the settings at BEGIN (ROLLBACK restores them) and those COMMIT keeps (no SET LOCAL). */
  transaction?: { readonly saved: ReadonlyMap<string, string>; readonly kept: Map<string, string> }
  /**
   * The running statement's cancellation (CancelRequest, statement_timeout), set by wire for each statement: waits
   * such as pg_sleep end on it, and control-side operators stop at their next pause (57014).
   */
  signal?: AbortSignal
  backendPid?: number // BackendKeyData's pid (pg_backend_pid(), CancelRequest's key), set by wire at startup
  /** The session's named prepared statements (wire's, shared with the protocol's): PREPARE adds, EXECUTE finds. */
  preparedStatements?: PreparedStatementRegistry
  /** Every session's activity and the signals between them (pg_stat_activity, pg_cancel/terminate_backend). */
  backends?: BackendDirectory
  writes?: import('./exec/pending-writes.js').SessionWrites // the transaction's held writes and undos; wire drives it
}

export interface PreparedStatementRegistry {
  /** PREPARE: 42P05 when the name is taken (by PREPARE or the protocol's Parse); `paramTypeOids` as described. */
  add(name: string, statement: PreparedStatement, declaredOids: ReadonlyArray<number>, paramTypeOids: ReadonlyArray<number>): void
  /** EXECUTE (`isExecution`: counted as a use of its plan) and its Describe: null when there is no such statement. */
  find(name: string, isExecution?: boolean): { readonly statement: PreparedStatement; readonly declaredOids: ReadonlyArray<number> } | null
  /** pg_prepared_statements: the named statements, by PREPARE and by the protocol's Parse. */
  list(): ReadonlyArray<PreparedStatementInfo>
}

/** A row of pg_prepared_statements: `text` as prepared (PREPARE's statement or Parse's query); `plans`: Binds and EXECUTEs. */
export interface PreparedStatementInfo {
  readonly name: string; readonly text: string; readonly preparedAtUs: number; readonly paramTypeOids: ReadonlyArray<number>
  readonly fromSql: boolean; readonly plans: number
}

// --- Ingest (InfluxDB line protocol and friends): columnar batches in, rows written and per-line errors out.

/** A tag column: dictionary ids per row (-1 = the row has no such tag) into `dict`, in order of first use. */
export interface IngestTagColumn {
  readonly kind: 'tag'
  readonly name: string
  readonly ids: Int32Array
  readonly dict: ReadonlyArray<string>
}
/** In every field column, `nulls[row]` is 1 when that row has no such field (its value slot then holds 0). */
export interface IngestFloatColumn {
  readonly kind: 'float'
  readonly name: string
  readonly values: Float64Array
  readonly nulls: Uint8Array
}
export interface IngestIntegerColumn {
  readonly kind: 'integer'
  readonly name: string
  readonly values: BigInt64Array
  readonly nulls: Uint8Array
}
export interface IngestUnsignedColumn {
  readonly kind: 'unsigned'
  readonly name: string
  readonly values: BigUint64Array
  readonly nulls: Uint8Array
}
/** String fields: null where the row has no such field. */
export interface IngestStringColumn {
  readonly kind: 'string'
  readonly name: string
  readonly values: ReadonlyArray<string | null>
}
/** Booleans as 0/1 bytes. */
export interface IngestBooleanColumn {
  readonly kind: 'boolean'
  readonly name: string
  readonly values: Uint8Array
  readonly nulls: Uint8Array
}

export type IngestColumn =
  | IngestTagColumn | IngestFloatColumn | IngestIntegerColumn | IngestUnsignedColumn | IngestStringColumn | IngestBooleanColumn

export type IngestColumnKind = IngestColumn['kind']

/**
 * The rows of one measurement (one table), in input order. Columns appear in order of first use, names are unique
 * within a batch; every array has `rowCount` entries and owns its memory. Timestamps are µs since the epoch.
 * `lineNumbers[row]` is the 1-based source line of the row, used to name lines in errors.
 * sql.ingest does not keep references to the arrays after its promise settles.
 */
export interface IngestBatch {
  readonly measurement: string
  readonly rowCount: number
  readonly timestampsUs: Float64Array
  readonly lineNumbers: Uint32Array
  readonly columns: ReadonlyArray<IngestColumn>
  readonly encoded?: IngestAhead // payloads a parse worker encoded (ingest-ahead.ts); isLean: no rows here, only the count
}

/**
 * Why sql refused a row (the wire parser's own codes are separate). These strings reach clients (HTTP 400 bodies,
 * logs): append-only, pinned by test/unit/sql/ingest.test.ts.
 * - BadName: table or column name empty, over ILP_NAME_BYTES_MAX bytes, or holding NUL.
 * - TypeConflict: a field or tag whose type does not fit the existing column (no silent casts).
 * - ValueOutOfRange: an unsigned value above 2^63-1, or an integer outside an int2/int4 column's range.
 * - NotNullViolation: the row lacks a NOT NULL column of a table created by SQL.
 * - LimitExceeded: the table or column could not be created (too many tables or columns).
 */
export type IngestErrorCode = 'BadName' | 'TypeConflict' | 'ValueOutOfRange' | 'NotNullViolation' | 'LimitExceeded'

export interface IngestLineError {
  /** 1-based source line (from IngestBatch.lineNumbers). */
  readonly line: number
  readonly code: IngestErrorCode
  /** PostgreSQL-style message naming the measurement and column, e.g. `column "v" of "cpu" is float8, got integer`. */
  readonly message: string
}

export interface IngestOptions {
  /** Errors kept in the outcome (the rest are counted only); ILP_ERRORS_KEPT_MAX_COUNT by default. */
  readonly errorsKeptMax?: number
}

export interface IngestOutcome {
  /** Rows durably written (WAL'd per the fsync mode) and visible to later queries. */
  readonly rowCount: number
  /** Refused rows, ordered by line number; at most errorsKeptMax of them (see errorCount). */
  readonly errors: ReadonlyArray<IngestLineError>
  readonly errorCount: number
}

/** A parameter as received in Bind: string = text format, Uint8Array = binary format, null = SQL NULL. */
export type ParamValue = string | Uint8Array | null

export interface SqlFacade {
  /**
   * Parses a Query string into its statements, in order. [] for empty or comment-only text (EmptyQueryResponse).
   * Throws DbError (42601 with a position) when any statement fails to parse: nothing of the text runs then.
   */
  parse(text: string): ReadonlyArray<PreparedStatement>
  /** Loads the SQL parser if need be (a server loads it at its first pg connection, issue 10): a promise until then. */
  parserLoading?(): Promise<void> | undefined
  /**
   * Parameter types and result shape without running the statement. `declaredParamOids` come from Parse (0 = infer).
   * Answered at once (no promise) unless it must wait (EXECUTE of a prepared statement), so Parse and Bind need no turn.
   */
  describe(statement: PreparedStatement, declaredParamOids: ReadonlyArray<number>, session: SessionContext): StatementDescription | Promise<StatementDescription>
  /**
   * Decodes Bind values as the described types, in order, as PostgreSQL's Bind (22P02, 22P03 with a CONTEXT naming `portal`);
   * text dates and times by `session`'s settings (without one the check stops at the first). Optional for stubs.
   */
  checkParams?(paramTypeOids: ReadonlyArray<number>, params: ReadonlyArray<ParamValue>, session?: SessionContext, portal?: string): void
  /** Runs one statement with its parameters (count must equal paramCount). Rejects with DbError. */
  execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredParamOids: ReadonlyArray<number>, session: SessionContext): Promise<StatementResult>
  /**
   * Writes line-protocol batches. Unknown tables are created (designated timestamp `time`) and unknown columns
   * added; rows that do not fit are refused one by one (IngestOutcome.errors) while the others are written. Each
   * table's rows go in one WAL record, so they are all-or-nothing per table and become visible together; a request
   * spanning several tables is NOT atomic across tables. Resolves only once every written row is durable. Rejects
   * with DbError when the engine fails (disk full, shutting down): rows of tables not yet written are then lost.
   */
  ingest(batches: ReadonlyArray<IngestBatch>, options?: IngestOptions): Promise<IngestOutcome>
}

// Value formatting for wire's text codecs: sql owns the time types' semantics (TimeZone, BC years, IntervalStyle).
export { formatDate, formatTime, formatTimestamp, formatTimestamptz } from './expr/timestamp.js'
export { formatTimetz, timetzParts } from './expr/timetz.js'
export { formatInterval } from './expr/interval.js'
export { parseArrayText } from './functions/array-text.js'
export { decodeUtf8 as decodeTextUtf8 } from './exec/copy-decode.js'
export { arrayElementValues } from './expr/cast-value.js'
export { encodeNumericBinary as encodeNumericBinaryText } from './expr/numeric-binary.js'
export { requireSessionZone as validateTimeZone } from './expr/time-zone.js'
// Session settings wire drives: startup validation, transaction boundaries, ParameterStatus, timeouts.
export { beginSettingsTransaction, endSettingsTransaction, initSessionSettings, mergedSettings, reportedSettings, settingMs } from './exec/session-settings.js'
export { restoreSettings, snapshotSettings, type SettingsSnapshot } from './exec/savepoint-settings.js'
export { SessionWrites } from './exec/pending-writes.js'
export { encodeBatchesAhead, encodedTransferables, IngestEncodeBuffers, leanAhead, type IngestTableSchema } from './worker-api.js'
