// src/common/datarow-encoder: result columns (the cores' vectors) → PostgreSQL DataRow messages written straight into
// one reused Buffer, column by column. Each column's writer is chosen once per batch by its vector kind, type OID
// and format code; a tag's dictionary entry is UTF-8-encoded once per batch, not once per row; text known to be
// ASCII (numbers, timestamps) is copied code unit by code unit. In src/common because both sides run it: the cores
// encode a streamed plain scan's rows themselves (StreamScanRequest.encoding), and wire encodes the vectors of a
// batch the cores sent as columns (wire/pg/codecs/datarow-batch.ts adds the value-by-value path). Same bytes as
// wire's value-codec.ts (test/integration/datarow-batch.test.ts compares both with PostgreSQL 15).
import type { ColumnVector } from './column-vector.js'
import { encodeFloat4Text } from './float-text.js'
import { isIsoDateStyle } from './date-style-text.js'
import { DataRowBuffer, INITIAL_BYTES } from './datarow-buffer.js'
import { isDbError } from './errors.js'
import { sameTextSettings, type TextSettings } from './text-settings.js'
import { formatTime, formatTimestamp, formatTimestamptz } from './timestamp-text.js'

export { DEFAULT_TEXT_SETTINGS, textSettingsKey, type TextSettings } from './text-settings.js'

/** The PostgreSQL type OIDs this encoder has writers for (as wire's value-codec.ts TypeOid). */
const Oid = {
  Bool: 16, Name: 19, Int8: 20, Int2: 21, Int4: 23, Text: 25, Float4: 700, Float8: 701, Bpchar: 1042, Varchar: 1043,
  Time: 1083, Timestamp: 1114, Timestamptz: 1184,
} as const
const BINARY_FORMAT = 1

/** What a core needs to encode a streamed scan's rows: per result column its scan slot, type OID and format code. */
export interface DataRowEncoding extends TextSettings {
  readonly columns: ReadonlyArray<{ readonly slot: number; readonly typeOid: number; readonly format: number }>
}

/** A core batch as DataRow messages: row i is bytes [rowEnds[i - 1] ?? 0, rowEnds[i]). */
export interface EncodedDataRows {
  readonly bytes: Uint8Array
  readonly rowEnds: Int32Array
  readonly rowCount: number
}

const DATA_ROW_CODE = 0x44 // D
// After a large batch the buffer shrinks back, so an idle portal does not pin megabytes.
const RETAINED_BYTES_MAX = 1024 * 1024
// A core's encoder (one per core) keeps what a whole batch of wide rows needs (4,096 TSBS rows are ~1.2 MB), rather
// than growing from INITIAL_BYTES again for every batch.
const BATCH_RETAINED_BYTES_MAX = 4 * 1024 * 1024
// A core's batch of at least this many bytes is handed over in the buffer it was written in (encodeBatch).
const HANDED_OVER_BYTES_MIN = 16 * 1024
// A call stops after the row that crosses this, so rows of large values are not gathered 1,000 at a time.
export const CHUNK_BYTES_MAX = 256 * 1024

/** Rows of one source for encodeParts: its columns by scan slot and the row numbers to write (null: 0..count). */
export interface EncodePart {
  readonly columns: ReadonlyArray<ColumnVector>
  readonly rows: Int32Array | null
  readonly count: number
}

/** Writes row `row` of one column (int32 length, then the bytes; -1 for NULL). */
export type ColumnWriter = (row: number) => void

/** DataRow messages of `rowCount` rows, a view of the encoder's buffer. */
export interface EncodedRows {
  readonly bytes: Uint8Array
  readonly rowCount: number
}

export class ColumnDataRowEncoder extends DataRowBuffer {
  private preparedFor: { readonly columns: ReadonlyArray<ColumnVector> } | null = null
  private preparedSettings: TextSettings | null = null
  private writers: ColumnWriter[] | null = null
  // Counts writeRows calls: a tag run's memo of the previous row holds only within one call (offsets restart).
  private writeCallCount = 0

  /**
   * DataRows for rows [from, to) of `batch` — fewer when CHUNK_BYTES_MAX is reached first (rowCount says how many) —
   * or null when some column has no columnar writer. The bytes are a view of this encoder's buffer, valid until the
   * next call: the caller copies them out at once.
   */
  encode(batch: { readonly columns: ReadonlyArray<ColumnVector> }, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>, settings: TextSettings,
    range: { readonly from: number; readonly to: number }): EncodedRows | null {
    if (batch !== this.preparedFor || !sameTextSettings(settings, this.preparedSettings)) {
      this.preparedFor = batch
      this.preparedSettings = settings
      const writers = this.writersOf(batch.columns, typeOids, formats, settings)
      this.writers = writers === null ? null : this.withTagRuns(batch.columns, writers)
    }
    const writers = this.writers
    if (writers === null) return null
    this.offset = 0
    const rowCount = this.writeRows(writers, range.from, range.to, CHUNK_BYTES_MAX, null, batch.columns.length)
    return { bytes: this.buffer.subarray(0, this.offset), rowCount }
  }

  /**
   * A core's whole batch as DataRows of the result columns `encoding` names (a copy, with each row's end), or null
   * when some column has no columnar writer (the core then sends the vectors and wire takes its other ways).
   * `throwsValueErrors`: a value that cannot be printed throws its DbError instead (a sorted scan has no other way).
   */
  encodeBatch(columns: ReadonlyArray<ColumnVector>, rowCount: number, encoding: DataRowEncoding, throwsValueErrors = false): EncodedDataRows | null {
    return this.encodeParts([{ columns, rows: null, count: rowCount }], rowCount, encoding, throwsValueErrors)
  }

  /**
   * encodeBatch over parts: each part's rows (`rows[0..count)`, or 0..count when null) of its own columns, by scan
   * slot, one after the other. A core passes its sources' columns with the selected row numbers, so the rows are
   * read where they lie instead of first being gathered into vectors of their own.
   */
  encodeParts(parts: ReadonlyArray<EncodePart>, rowCount: number, encoding: DataRowEncoding, throwsValueErrors = false): EncodedDataRows | null {
    this.offset = 0
    const rowEnds = new Int32Array(rowCount)
    let done = 0
    try {
      for (const part of parts) {
        const writers = this.writersForSlots(part.columns, encoding)
        if (writers === null) { this.offset = 0; return null }
        this.writeRowsOf(writers, part.rows, part.count, rowEnds, done, encoding.columns.length)
        done += part.count
      }
    } catch (error: unknown) {
      // A value nodedb cannot print exactly (a zone abbreviation it does not know): the vectors go to the session,
      // whose own encoding answers the client with that error.
      this.offset = 0
      if (!isDbError(error) || throwsValueErrors) throw error
      return null
    }
    // A large batch keeps the buffer it was written in (the ring copies it once: FrameCodec.encodeResponse frames it
    // as a part of its own) and the next batch gets a fresh one of the same size — no copy of ~1 MB, no regrowth
    // from INITIAL_BYTES; a small one is copied out (msgpack copies it into the frame anyway).
    const isHandedOver = this.offset >= HANDED_OVER_BYTES_MIN
    const bytes = isHandedOver ? this.buffer.subarray(0, this.offset) : new Uint8Array(this.buffer.subarray(0, this.offset))
    this.offset = 0
    if (isHandedOver) this.replace(this.buffer.length > BATCH_RETAINED_BYTES_MAX ? INITIAL_BYTES : this.buffer.length)
    else if (this.buffer.length > BATCH_RETAINED_BYTES_MAX) this.allocate(INITIAL_BYTES)
    return { bytes, rowEnds, rowCount }
  }

  /** The writers (tag runs grouped) of the result columns `encoding` names, over `columns` by slot; null: one has none. */
  private writersForSlots(columns: ReadonlyArray<ColumnVector>, encoding: DataRowEncoding): ColumnWriter[] | null {
    const writers: ColumnWriter[] = []
    const vectors: ColumnVector[] = []
    for (const { slot, typeOid, format } of encoding.columns) {
      const vector = columns[slot]
      const writer = vector === undefined ? null : this.writerOf(vector, typeOid, format === BINARY_FORMAT, encoding)
      if (writer === null) return null
      writers.push(writer)
      vectors.push(vector!)
    }
    return this.withTagRuns(vectors, writers)
  }

  /** Rows rows[0..count) (0..count when null) through `writers`, each row's end at rowEnds[endAt + i]. */
  private writeRowsOf(writers: ReadonlyArray<ColumnWriter>, rows: Int32Array | null, count: number, rowEnds: Int32Array,
    endAt: number, columnCount: number): void {
    this.writeCallCount += 1
    for (let i = 0; i < count; i += 1) {
      this.writeRow(writers, rows === null ? i : rows[i]!, columnCount)
      rowEnds[endAt + i] = this.offset
    }
  }

  /** One DataRow message: row `row` through `writers` (`columnCount` columns in all). */
  private writeRow(writers: ReadonlyArray<ColumnWriter>, row: number, columnCount: number): void {
    this.room(7)
    const start = this.offset
    this.buffer[start] = DATA_ROW_CODE
    this.view.setInt16(start + 5, columnCount)
    this.offset = start + 7
    for (let column = 0; column < writers.length; column += 1) writers[column]!(row)
    this.view.setInt32(start + 1, this.offset - start - 1)
  }

  /**
   * Rows [from, to) through `writers` (a writer may write several of the `columnCount` columns), stopping after the
   * row that crosses byteLimit; how many were written.
   */
  protected writeRows(writers: ReadonlyArray<ColumnWriter>, from: number, to: number, byteLimit: number, rowEnds: Int32Array | null,
    columnCount = writers.length): number {
    this.writeCallCount += 1
    let row = from
    for (; row < to && this.offset < byteLimit; row += 1) {
      this.writeRow(writers, row, columnCount)
      if (rowEnds !== null) rowEnds[row] = this.offset
    }
    return row - from
  }

  /** Forgets the last batch (its vectors) and a grown buffer: called when a result is done. */
  reset(): void {
    this.preparedFor = null
    this.writers = null
    if (this.buffer.length > RETAINED_BYTES_MAX) this.allocate(INITIAL_BYTES)
  }

  /**
   * Two or more tag columns side by side (TSBS's ten tags of a host) written as one: a row whose tags have the ids
   * of the row written before it copies that row's bytes of them in one go (a segment's rows come grouped by series).
   */
  private withTagRuns(vectors: ReadonlyArray<ColumnVector>, writers: ReadonlyArray<ColumnWriter>): ColumnWriter[] {
    const grouped: ColumnWriter[] = []
    for (let at = 0; at < writers.length;) {
      let end = at
      while (end < writers.length && vectors[end]!.kind === 'symbol') end += 1
      if (end - at >= 2) {
        grouped.push(this.tagRunWriter(vectors.slice(at, end).map((vector) => (vector as Extract<ColumnVector, { kind: 'symbol' }>).ids), writers.slice(at, end)))
        at = end
      } else grouped.push(writers[at++]!)
    }
    return grouped
  }

  private tagRunWriter(ids: ReadonlyArray<Int32Array>, writers: ReadonlyArray<ColumnWriter>): ColumnWriter {
    let lastRow = -1
    let lastCall = -1
    let lastStart = 0
    let lastEnd = 0
    return (row) => {
      // The row written last in this call, adjacent or not (encodeParts writes a source's selected rows).
      let isRepeat = lastCall === this.writeCallCount
      for (let k = 0; isRepeat && k < ids.length; k++) isRepeat = ids[k]![row] === ids[k]![lastRow]
      const start = this.offset
      if (isRepeat) {
        this.room(lastEnd - lastStart) // a grown buffer keeps the bytes before offset where they were
        this.buffer.copyWithin(start, lastStart, lastEnd)
        this.offset = start + lastEnd - lastStart
      } else for (let k = 0; k < writers.length; k++) writers[k]!(row)
      lastRow = row
      lastCall = this.writeCallCount
      lastStart = start
      lastEnd = this.offset
    }
  }

  private writersOf(columns: ReadonlyArray<ColumnVector>, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>,
    settings: TextSettings): ColumnWriter[] | null {
    const writers: ColumnWriter[] = []
    for (const [index, vector] of columns.entries()) {
      const isBinary = formats[index] === BINARY_FORMAT
      const writer = this.writerOf(vector, typeOids[index] ?? 0, isBinary, settings)
      if (writer === null) return null
      writers.push(writer)
    }
    return writers
  }

  private writerOf(vector: ColumnVector, typeOid: number, isBinary: boolean, settings: TextSettings): ColumnWriter | null {
    switch (vector.kind) {
      case 'f64': return this.floatWriter(vector.values, vector.nulls, typeOid, isBinary)
      case 'timestamp': return this.timestampWriter(vector.values, vector.nulls, typeOid, isBinary, settings)
      case 'i64': return this.integerWriter(vector.values, vector.nulls, typeOid, isBinary)
      case 'bool': return typeOid === Oid.Bool ? this.boolWriter(vector.values, vector.nulls, isBinary) : null
      case 'symbol': return isTextOid(typeOid) ? this.symbolWriter(vector.ids, vector.dict) : null
      case 'text': return isTextOid(typeOid) ? this.textWriter(vector.values) : null
    }
  }

  private floatWriter(values: Float64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean): ColumnWriter | null {
    if (typeOid !== Oid.Float8 && typeOid !== Oid.Float4) return null
    if (!isBinary && typeOid === Oid.Float4) {
      return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.ascii(encodeFloat4Text(values[row]!)))
    }
    if (!isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.float8Text(values[row]!))
    if (typeOid === Oid.Float4) {
      return (row) => {
        if (nulls !== undefined && nulls[row] === 1) return this.null()
        this.fixed(4).setFloat32(this.offset - 4, values[row]!)
      }
    }
    return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.float8Binary(values[row]!))
  }

  private timestampWriter(values: Float64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean,
    settings: TextSettings): ColumnWriter | null {
    if (typeOid === Oid.Time) return this.timeWriter(values, nulls, isBinary)
    if (typeOid !== Oid.Timestamptz && typeOid !== Oid.Timestamp) return null
    if (isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.timestampBinary(values[row]!))
    const zone = typeOid === Oid.Timestamp ? null : settings.timeZone
    const { dateStyle } = settings
    if (!isIsoDateStyle(dateStyle)) {
      // SQL, German, Postgres: through the string (formatTimestamptz's abbreviation is 0A000 where not exact).
      const format = zone === null ? (us: number): string => formatTimestamp(us, dateStyle) : (us: number): string => formatTimestamptz(us, zone, dateStyle)
      return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.ascii(format(values[row]!)))
    }
    return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.timestampText(values[row]!, zone))
  }

  /** A time column (µs since midnight in a timestamp vector): time_out's text, time_send's int64 µs. */
  private timeWriter(values: Float64Array, nulls: Uint8Array | undefined, isBinary: boolean): ColumnWriter {
    if (!isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.ascii(formatTime(values[row]!)))
    return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.fixed(8).setBigInt64(this.offset - 8, BigInt(values[row]!)))
  }

  private integerWriter(values: BigInt64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean): ColumnWriter | null {
    const width = typeOid === Oid.Int8 ? 8 : typeOid === Oid.Int4 ? 4 : typeOid === Oid.Int2 ? 2 : 0
    if (width === 0) return null
    if (!isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.ascii(values[row]!.toString()))
    return (row) => {
      if (nulls !== undefined && nulls[row] === 1) return this.null()
      const view = this.fixed(width)
      const at = this.offset - width
      if (width === 8) view.setBigInt64(at, values[row]!)
      else if (width === 4) view.setInt32(at, Number(values[row]!))
      else view.setInt16(at, Number(values[row]!))
    }
  }

  private boolWriter(values: Uint8Array, nulls: Uint8Array | undefined, isBinary: boolean): ColumnWriter {
    const t = isBinary ? 1 : 0x74 // boolsend 1/0; boolout 't'/'f'
    const f = isBinary ? 0 : 0x66
    return (row) => {
      if (nulls !== undefined && nulls[row] === 1) return this.null()
      this.fixed(1)
      this.buffer[this.offset - 1] = values[row] === 1 ? t : f
    }
  }

  /** A tag: each dictionary entry's UTF-8 bytes once per batch (textout and textsend are the same bytes). */
  private symbolWriter(ids: Int32Array, dict: ReadonlyArray<string>): ColumnWriter {
    const encoded: Array<Buffer | undefined> = []
    return (row) => {
      const id = ids[row]!
      if (id < 0) return this.null() // -1: NULL
      let bytes = encoded[id]
      if (bytes === undefined) {
        const text = dict[id]
        if (text === undefined) return this.null()
        bytes = Buffer.from(text, 'utf8')
        encoded[id] = bytes
      }
      this.bytes(bytes)
    }
  }

  private textWriter(values: ReadonlyArray<string | null>): ColumnWriter {
    return (row) => {
      const text = values[row]
      if (text === null || text === undefined) return this.null()
      this.text(text)
    }
  }


  protected bytes(bytes: Uint8Array): void {
    const length = bytes.length
    this.room(4 + length)
    this.view.setInt32(this.offset, length)
    const at = this.offset + 4
    if (length < 32) for (let i = 0; i < length; i += 1) this.buffer[at + i] = bytes[i]!
    else this.buffer.set(bytes, at)
    this.offset = at + length
  }
}

/** Text-like types whose text and binary output are both the string's UTF-8 bytes (textout / textsend). */
function isTextOid(typeOid: number): boolean {
  return typeOid === Oid.Text || typeOid === Oid.Varchar || typeOid === Oid.Bpchar || typeOid === Oid.Name
}
