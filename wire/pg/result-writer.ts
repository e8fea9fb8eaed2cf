// wire/pg/result-writer: result rows → RowDescription / DataRow messages, with the format codes Bind asked for.
// Rows come materialized or as a stream from sql; either way they are written as they are pulled, and every
// ROWS_PER_FLUSH_COUNT rows (and before waiting for the next batch) output goes to the socket, waiting for 'drain'
// while the send buffer is over PG_SEND_BUFFER_BYTES_MAX: a slow client slows the scan, not grows memory (invariant 4).
// Encoding many rows to a fast client yields the event loop every EVENT_LOOP_SLICE_MS (invariant 5).
import { textSettingsKey, type TextSettings } from '../../src/common/datarow-encoder.js'
import { featureNotSupported, protocolViolation } from '../../src/common/errors.js'
import { EVENT_LOOP_SLICE_MS } from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'
import type { ColumnRows, EncodedRowsBatch, FieldDescription, RowBatch, RowEncoding, RowStream, StatementResult } from '../../sql/api.js'
import type { BackendMessage } from './backend.js'
import { DataRowBatchEncoder } from './codecs/datarow-batch.js'
import { encodeValue, TypeOid } from './codecs/value-codec.js'

const ROWS_PER_FLUSH_COUNT = 1000
/** Text the cores print by the session's TimeZone and DateStyle. */
const DATE_TIME_OIDS: ReadonlySet<number> = new Set([TypeOid.Timestamptz, TypeOid.Timestamp, TypeOid.Date])

/** Rows encoded between two readings of the clock (a turn of the loop is due after EVENT_LOOP_SLICE_MS). */
const ROWS_PER_CLOCK_CHECK_COUNT = 250

export interface RowSink {
  send(message: BackendMessage): void
  /** Hands buffered output to the socket; a promise when the send buffer is over PG_SEND_BUFFER_BYTES_MAX. */
  flush(): Promise<void> | undefined
  /** The session's TimeZone, DateStyle and IntervalStyle, in which date/time values are printed as text. */
  textSettings(): TextSettings
  /** True when the sink re-encodes each DataRow message itself (COPY TO): it is then sent rows one by one. */
  readonly needsRowMessages?: boolean
  /**
   * The session's DataRow encoder, shared by its cursors (each call's bytes are copied out by send() before the
   * next): a cursor of its own allocated a 64 KiB buffer per statement, most of a SELECT 1's garbage.
   */
  readonly dataRowEncoder?: DataRowBatchEncoder
}

/** All-text formats for up to 16 columns, shared (never written): the common case needs no array per statement. */
const ALL_TEXT: ReadonlyArray<ReadonlyArray<number>> = Array.from({ length: 17 }, (_, count) => Object.freeze(new Array<number>(count).fill(0)))

/** Bind's result formats: none = all text, one = for every column, else one per column (PostgreSQL's rule). */
export function resolveFormats(formats: ReadonlyArray<number>, fieldCount: number): ReadonlyArray<number> {
  if (formats.length === 0) return fieldCount < ALL_TEXT.length ? ALL_TEXT[fieldCount]! : new Array<number>(fieldCount).fill(0)
  if (formats.length === 1) return new Array<number>(fieldCount).fill(formats[0] ?? 0)
  if (formats.length !== fieldCount) {
    throw protocolViolation(`bind message has ${formats.length} result formats but query has ${fieldCount} columns`)
  }
  return formats
}

type RowsOf = Extract<StatementResult, { kind: 'RowsResult' | 'RowStreamResult' }>
type Batch = RowBatch | ColumnRows | EncodedRowsBatch

/**
 * Where a result's rows are read from, resumable across Executes (a portal keeps it between PortalSuspended and
 * the next Execute). close() stops it: a streamed scan is cancelled on the cores and its memory released.
 */
export class ResultCursor {
  private batch: Batch
  private batchIndex = 0
  private readonly stream: RowStream | null
  /** Opened at the first pull: Execute asks the cores for DataRow bytes, FETCH (take) for rows. */
  private iterator: AsyncIterator<Batch> | null = null
  /** The TimeZone Execute opened the stream with, and once the cores sent DataRow bytes, the zone they print in. */
  private openedZone: string | null = null
  private encodedZone: string | null = null
  private isExhausted = false
  private isClosed = false
  private encoder: DataRowBatchEncoder | null = null

  constructor(private readonly result: RowsOf) {
    this.batch = result.kind === 'RowsResult' ? result.rows : []
    this.stream = result.kind === 'RowStreamResult' ? result.stream : null
  }

  private get batchLength(): number {
    return 'kind' in this.batch ? this.batch.rowCount : this.batch.length
  }

  get fields(): ReadonlyArray<FieldDescription> {
    return this.result.fields
  }

  /** The tag of CommandComplete: a stream's true count is known once it is exhausted. */
  get commandTag(): string {
    return this.result.kind === 'RowsResult' ? this.result.commandTag : `${this.result.command ?? 'SELECT'} ${this.result.stream.rowCount}`
  }

  get isClosedEarly(): boolean {
    return this.isClosed
  }

  /** Idempotent. A pending send() ends after its current row; a stream's cores stop scanning. */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    this.batch = []
    this.encoder?.reset()
    if (this.result.kind !== 'RowStreamResult' || this.isExhausted) return
    this.result.stream.cancel()
    void this.iterator?.return?.()
      .catch((error: unknown) => log.debug({ err: error }, 'closing a row stream failed'))
  }

  /** Sends DataRows: up to maxRows of them (0 = all that are left). Returns the number sent. Rejects with DbError. */
  async send(sink: RowSink, formats: ReadonlyArray<number>, maxRows: number): Promise<number> {
    const settings = sink.textSettings()
    const fields = this.result.fields
    const typeOids = fields.map((field) => field.typeOid)
    let sentCount = 0
    let unflushedCount = 0
    let sinceClockCount = 0
    let turnStartedMs = performance.now()
    // COPY's sink re-encodes each DataRow message: it gets rows, not bytes encoded on the cores.
    const encoding: RowEncoding | undefined = sink.needsRowMessages === true ? undefined : { typeOids, formats, ...settings }
    if (this.encodedZone !== null && this.encodedZone !== textSettingsKey(settings) && typeOids.some((oid, i) => DATE_TIME_OIDS.has(oid) && formats[i] !== 1)) {
      // The cores already print the rest of the rows in the settings of the first Execute; PostgreSQL would use the new ones.
      throw featureNotSupported('a TimeZone change between Executes of a portal that streams timestamp text (or a DateStyle change there)')
    }
    while ((maxRows === 0 || sentCount < maxRows) && !this.isClosed) {
      if (this.batchIndex >= this.batchLength) {
        if (!(await this.pull(sink, encoding))) break
        continue
      }
      let count = 1
      let isCut = false
      const batch = this.batch
      // Up to the next flush point encoded at once into one buffer (column vectors column by column); COPY's sink
      // and columns with no batch writer get DataRow messages one by one. The cores' bytes (views of the ring frame)
      // are never written again, so the socket sends them as they are; the encoder reuses its buffer (copied).
      const room = Math.min(this.batchLength - this.batchIndex, ROWS_PER_FLUSH_COUNT - unflushedCount, ROWS_PER_CLOCK_CHECK_COUNT - sinceClockCount,
        maxRows === 0 ? Infinity : maxRows - sentCount)
      const range = { from: this.batchIndex, to: this.batchIndex + room }
      this.encoder ??= sink.dataRowEncoder ?? new DataRowBatchEncoder()
      const isColumns = 'kind' in batch
      const encoded = isColumns && batch.kind === 'EncodedRows' ? encodedRange(batch, range)
        : sink.needsRowMessages === true ? null
        : isColumns ? this.encoder.encode(batch, typeOids, formats, settings, range) : this.encoder.encodeRows(batch, typeOids, formats, settings, range)
      if (encoded !== null) {
        sink.send({ kind: 'DataRows', bytes: encoded.bytes, rowCount: encoded.rowCount, isImmutable: isColumns && batch.kind === 'EncodedRows' })
        this.batchIndex += encoded.rowCount
        count = encoded.rowCount
        isCut = count < room
      } else if (isColumns) {
        this.batch = rowsOf(batch, this.batchIndex, batch.rowCount)
        this.batchIndex = 0
        continue
      } else {
        const row = batch[this.batchIndex++] ?? []
        const values = fields.map((field, column) => encodeValue(row[column] ?? null, field.typeOid, formats[column] ?? 0, settings))
        sink.send({ kind: 'DataRow', values })
      }
      sentCount += count
      unflushedCount += count
      sinceClockCount += count
      // Every 1,000 rows, and whenever the encoder stopped short of them at its byte bound (large values).
      if (unflushedCount >= ROWS_PER_FLUSH_COUNT || isCut) {
        unflushedCount = 0
        await sink.flush()
      }
      // A materialized result of many rows to a fast client: the loop gets a turn between slices (invariant 5).
      if (sinceClockCount >= ROWS_PER_CLOCK_CHECK_COUNT) {
        sinceClockCount = 0
        if (performance.now() - turnStartedMs >= EVENT_LOOP_SLICE_MS) {
          if (unflushedCount > 0) {
            unflushedCount = 0
            await sink.flush()
          }
          await new Promise<void>((resolve) => setImmediate(resolve))
          turnStartedMs = performance.now()
        }
      }
    }
    return sentCount
  }

  /**
   * Up to maxRows of the rows left, without sending them (FETCH through a cursor reads a portal's cursor this way);
   * null when none are left. The rows are a slice of the current batch: at most one batch is held.
   */
  async take(maxRows: number): Promise<RowBatch | null> {
    while (!this.isClosed) {
      if (this.batchIndex < this.batchLength) {
        const end = Math.min(this.batchLength, this.batchIndex + maxRows)
        const rows = !('kind' in this.batch) ? this.batch.slice(this.batchIndex, end) : rowsOf(this.batch, this.batchIndex, end)
        this.batchIndex = end
        return rows
      }
      if (!(await this.pull(null))) return null
    }
    return null
  }

  /**
   * The next batch of a stream; false when there is none. What was written goes out before the wait, and the event
   * loop gets a turn: batches the cores already sent resolve as microtasks, so without it a fast scan to a fast
   * client would hold the loop until the send buffer filled (invariant 5: other sessions keep answering).
   */
  private async pull(sink: RowSink | null, encoding?: RowEncoding): Promise<boolean> {
    if (this.stream === null || this.isExhausted) return false
    await sink?.flush()
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (this.isClosed) return false
    if (this.iterator === null) {
      this.iterator = this.stream.columnBatches?.(encoding) ?? this.stream[Symbol.asyncIterator]()
      this.openedZone = encoding === undefined ? null : textSettingsKey(encoding)
    }
    const next = await this.iterator.next()
    if (next.done === true) {
      this.isExhausted = true
      return false
    }
    this.batch = next.value
    this.batchIndex = 0
    if ('kind' in this.batch && this.batch.kind === 'EncodedRows') this.encodedZone = this.openedZone
    return true
  }
}

/** DataRows [from, to) of a batch the cores encoded: a view of its bytes, cut at row boundaries. */
function encodedRange(batch: EncodedRowsBatch, range: { readonly from: number; readonly to: number }): { bytes: Uint8Array; rowCount: number } {
  const { bytes, rowEnds } = batch.encoded
  const first = batch.from + range.from
  const last = batch.from + range.to
  return { bytes: bytes.subarray(first === 0 ? 0 : rowEnds[first - 1]!, rowEnds[last - 1]!), rowCount: range.to - range.from }
}

/** FETCH reads rows: a portal's stream that Execute opened for DataRow bytes has none to give. */
function rowsOf(batch: ColumnRows | EncodedRowsBatch, from: number, to: number): RowBatch {
  if (batch.kind === 'EncodedRows') throw featureNotSupported('FETCH from a portal that Execute has already read')
  return batch.rows(from, to)
}
