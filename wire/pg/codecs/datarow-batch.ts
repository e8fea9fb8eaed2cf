// wire/pg/codecs/datarow-batch: result columns (sql's ColumnRows: the cores' vectors) → DataRow messages written
// straight into one reused Buffer, column by column. Each column's writer is chosen once per batch by its vector
// kind, type OID and format code; a tag's dictionary entry is UTF-8-encoded once per batch, not once per row; text
// known to be ASCII (numbers, timestamps) is copied code unit by code unit. Same bytes as value-codec.ts value by
// value (test/integration/datarow-batch.test.ts compares both with PostgreSQL); a column it has no writer for makes
// the caller send that batch's rows as rows, which encodeRows() writes value by value into the same kind of buffer.
import { type ColumnRows, type ColumnVector, type RowBatch, type SqlValue, formatTimestamp, formatTimestamptz } from '../../../sql/api.js'
import { encodeFloat4Text, encodeFloat8Text, writeShortFloat8Text } from './float.js'
import { encodeValueBinary, encodeValueText, FormatCode, TypeOid } from './value-codec.js'

const DATA_ROW_CODE = 0x44 // D
const INITIAL_BYTES = 64 * 1024
// After a large batch the buffer shrinks back, so an idle portal does not pin megabytes.
const RETAINED_BYTES_MAX = 1024 * 1024
// A call stops after the row that crosses this, so rows of large values are not gathered 1,000 at a time.
const CHUNK_BYTES_MAX = 256 * 1024
// PostgreSQL's epoch (2000-01-01) as seen from the Unix epoch, in µs: exact in a double.
const PG_EPOCH_US = 946_684_800_000_000
const TWO_POW_32 = 4_294_967_296
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n
// writeShortFloat8Text's longest output: '-', 15 digits, '.', and leading zeros of 0.0001….
const FLOAT8_TEXT_BYTES_MAX = 24

/** Writes row `row` of one column (int32 length, then the bytes; -1 for NULL). */
type ColumnWriter = (row: number) => void
/** Writes one value of a row (int32 length, then the bytes; -1 for NULL). */
type ValueWriter = (value: SqlValue) => void

/** The OIDs value-codec.ts has a binary form for by OID alone (arrays and reg* types are decided per value). */
const BINARY_CODEC_OIDS: ReadonlySet<number> = new Set([TypeOid.Bool, TypeOid.Int2, TypeOid.Int4, TypeOid.Oid, TypeOid.Int8,
  TypeOid.Float4, TypeOid.Float8, TypeOid.Timestamp, TypeOid.Timestamptz, TypeOid.Date, TypeOid.Interval, TypeOid.Numeric,
  TypeOid.Name, TypeOid.Text, TypeOid.Bpchar, TypeOid.Varchar, TypeOid.Char, TypeOid.Void, TypeOid.Uuid, TypeOid.Bytea])

/** DataRow messages of `rowCount` rows, a view of the encoder's buffer. */
export interface EncodedRows {
  readonly bytes: Uint8Array
  readonly rowCount: number
}

/** The session settings the text forms depend on (DateStyle ISO and IntervalStyle postgres are the only ones nodedb takes). */
export interface TextSettings {
  readonly timeZone: string
}

export class DataRowBatchEncoder {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES)
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength)
  private offset = 0
  private preparedFor: ColumnRows | null = null
  private preparedSettings: TextSettings | null = null
  private writers: ColumnWriter[] | null = null

  /**
   * DataRows for rows [from, to) of `batch` — fewer when CHUNK_BYTES_MAX is reached first (rowCount says how many) —
   * or null when some column has no columnar writer. The bytes are a view of this encoder's buffer, valid until the
   * next call: the caller copies them out at once.
   */
  encode(batch: ColumnRows, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>, settings: TextSettings,
    range: { readonly from: number; readonly to: number }): EncodedRows | null {
    if (batch !== this.preparedFor || settings.timeZone !== this.preparedSettings?.timeZone) {
      this.preparedFor = batch
      this.preparedSettings = settings
      this.writers = this.writersOf(batch.columns, typeOids, formats, settings)
    }
    const writers = this.writers
    if (writers === null) return null
    this.offset = 0
    let row = range.from
    for (; row < range.to && this.offset < CHUNK_BYTES_MAX; row += 1) {
      this.room(7)
      const start = this.offset
      this.buffer[start] = DATA_ROW_CODE
      this.view.setInt16(start + 5, writers.length)
      this.offset = start + 7
      for (let column = 0; column < writers.length; column += 1) writers[column]!(row)
      this.view.setInt32(start + 1, this.offset - start - 1)
    }
    return { bytes: this.buffer.subarray(0, this.offset), rowCount: row - range.from }
  }

  /**
   * DataRows for rows [from, to) of evaluated or materialized rows: each value through value-codec.ts (the bytes a
   * DataRow message per row would carry), written into this one buffer; float8 text of short decimals as encode()
   * writes it. Null when a column is binary with no binary codec (that 0A000 then comes from the row that has it).
   */
  encodeRows(rows: RowBatch, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>, settings: TextSettings,
    range: { readonly from: number; readonly to: number }): EncodedRows | null {
    const writers: ValueWriter[] = []
    for (const [index, typeOid] of typeOids.entries()) {
      const writer = this.valueWriterOf(typeOid, formats[index] === FormatCode.Binary, settings.timeZone)
      if (writer === null) return null
      writers.push(writer)
    }
    this.offset = 0
    let index = range.from
    for (; index < range.to && this.offset < CHUNK_BYTES_MAX; index += 1) {
      const row = rows[index] ?? []
      this.room(7)
      const start = this.offset
      this.buffer[start] = DATA_ROW_CODE
      this.view.setInt16(start + 5, writers.length)
      this.offset = start + 7
      for (let column = 0; column < writers.length; column += 1) writers[column]!(row[column] ?? null)
      this.view.setInt32(start + 1, this.offset - start - 1)
    }
    return { bytes: this.buffer.subarray(0, this.offset), rowCount: index - range.from }
  }

  private valueWriterOf(typeOid: number, isBinary: boolean, timeZone: string): ValueWriter | null {
    if (isBinary) {
      if (!BINARY_CODEC_OIDS.has(typeOid)) return null
      return (value) => (value === null ? this.null() : this.bytes(encodeValueBinary(value, typeOid)))
    }
    if (typeOid === TypeOid.Float8) {
      return (value) => (value === null ? this.null() : typeof value === 'number' ? this.float8Text(value) : this.text(encodeValueText(value, typeOid)))
    }
    return (value) => (value === null ? this.null() : this.text(encodeValueText(value, typeOid, timeZone)))
  }

  /** Forgets the last batch (its vectors) and a grown buffer: called when a result is done. */
  reset(): void {
    this.preparedFor = null
    this.writers = null
    if (this.buffer.length > RETAINED_BYTES_MAX) this.allocate(INITIAL_BYTES)
  }

  private allocate(byteCount: number): void {
    const grown = Buffer.allocUnsafe(byteCount)
    this.buffer.copy(grown, 0, 0, this.offset)
    this.buffer = grown
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength)
  }

  private room(byteCount: number): void {
    if (this.offset + byteCount <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.offset + byteCount) size *= 2
    this.allocate(size)
  }

  private writersOf(columns: ReadonlyArray<ColumnVector>, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>,
    settings: TextSettings): ColumnWriter[] | null {
    const writers: ColumnWriter[] = []
    for (const [index, vector] of columns.entries()) {
      const isBinary = formats[index] === FormatCode.Binary
      const writer = this.writerOf(vector, typeOids[index] ?? 0, isBinary, settings)
      if (writer === null) return null
      writers.push(writer)
    }
    return writers
  }

  private writerOf(vector: ColumnVector, typeOid: number, isBinary: boolean, settings: TextSettings): ColumnWriter | null {
    switch (vector.kind) {
      case 'f64': return this.floatWriter(vector.values, vector.nulls, typeOid, isBinary)
      case 'timestamp': return this.timestampWriter(vector.values, vector.nulls, typeOid, isBinary, settings.timeZone)
      case 'i64': return this.integerWriter(vector.values, vector.nulls, typeOid, isBinary)
      case 'bool': return typeOid === TypeOid.Bool ? this.boolWriter(vector.values, vector.nulls, isBinary) : null
      case 'symbol': return isTextOid(typeOid) ? this.symbolWriter(vector.ids, vector.dict) : null
      case 'text': return isTextOid(typeOid) ? this.textWriter(vector.values) : null
    }
  }

  private floatWriter(values: Float64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean): ColumnWriter | null {
    if (typeOid !== TypeOid.Float8 && typeOid !== TypeOid.Float4) return null
    if (!isBinary && typeOid === TypeOid.Float4) {
      return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.ascii(encodeFloat4Text(values[row]!)))
    }
    if (!isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.float8Text(values[row]!))
    if (typeOid === TypeOid.Float4) {
      return (row) => {
        if (nulls !== undefined && nulls[row] === 1) return this.null()
        this.fixed(4).setFloat32(this.offset - 4, values[row]!)
      }
    }
    return (row) => {
      if (nulls !== undefined && nulls[row] === 1) return this.null()
      this.fixed(8).setFloat64(this.offset - 8, values[row]!)
    }
  }

  private timestampWriter(values: Float64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean, timeZone: string): ColumnWriter | null {
    if (typeOid !== TypeOid.Timestamptz && typeOid !== TypeOid.Timestamp) return null
    if (isBinary) return (row) => (nulls !== undefined && nulls[row] === 1 ? this.null() : this.timestampBinary(values[row]!))
    const format = typeOid === TypeOid.Timestamp ? formatTimestamp : (us: number): string => formatTimestamptz(us, timeZone)
    // Rows of one instant often follow each other (every series sampled at the same time): printed once for them.
    let lastUs = Number.NaN
    let lastText = ''
    return (row) => {
      if (nulls !== undefined && nulls[row] === 1) return this.null()
      const us = values[row]!
      if (us !== lastUs) {
        lastText = format(us)
        lastUs = us
      }
      this.ascii(lastText)
    }
  }

  /** timestamp_send: int64 µs since 2000-01-01, INT64_MAX/MIN for ±infinity (as codecs/timestamp.ts). */
  private timestampBinary(epochUs: number): void {
    const view = this.fixed(8)
    const at = this.offset - 8
    if (!Number.isFinite(epochUs)) {
      view.setBigInt64(at, epochUs > 0 ? INT64_MAX : INT64_MIN)
      return
    }
    // Exact as two int32 halves: |µs| < 2^53 for every timestamp PostgreSQL accepts.
    const us = Math.round(epochUs) - PG_EPOCH_US
    const high = Math.floor(us / TWO_POW_32)
    view.setInt32(at, high)
    view.setUint32(at + 4, us - high * TWO_POW_32)
  }

  private integerWriter(values: BigInt64Array, nulls: Uint8Array | undefined, typeOid: number, isBinary: boolean): ColumnWriter | null {
    const width = typeOid === TypeOid.Int8 ? 8 : typeOid === TypeOid.Int4 ? 4 : typeOid === TypeOid.Int2 ? 2 : 0
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

  /** Any text as UTF-8 (at most 3 bytes per UTF-16 code unit). */
  private text(text: string): void {
    this.room(4 + text.length * 3)
    const byteCount = this.buffer.write(text, this.offset + 4, 'utf8')
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
  }

  /** float8out: a short exact decimal written digit by digit, any other value through its string. */
  private float8Text(value: number): void {
    this.room(4 + FLOAT8_TEXT_BYTES_MAX)
    const byteCount = writeShortFloat8Text(this.buffer, this.offset + 4, value)
    if (byteCount === 0) return this.ascii(encodeFloat8Text(value))
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
  }

  private null(): void {
    this.room(4)
    this.view.setInt32(this.offset, -1)
    this.offset += 4
  }

  /** Room for a value of `byteCount` bytes after its length, which it writes; the caller fills the value in. */
  private fixed(byteCount: number): DataView {
    this.room(4 + byteCount)
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
    return this.view
  }

  /** Text all of whose characters are ASCII (numbers, timestamps): one byte per UTF-16 code unit. */
  private ascii(text: string): void {
    const length = text.length
    this.room(4 + length)
    const buffer = this.buffer
    let at = this.offset
    this.view.setInt32(at, length)
    at += 4
    for (let i = 0; i < length; i += 1) buffer[at + i] = text.charCodeAt(i)
    this.offset = at + length
  }

  private bytes(bytes: Uint8Array): void {
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
  return typeOid === TypeOid.Text || typeOid === TypeOid.Varchar || typeOid === TypeOid.Bpchar || typeOid === TypeOid.Name
}
