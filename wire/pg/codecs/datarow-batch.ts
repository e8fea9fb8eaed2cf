// wire/pg/codecs/datarow-batch: result rows → DataRow messages written straight into one reused Buffer. Column
// vectors (sql's ColumnRows) go through src/common/datarow-encoder.ts (the cores run the same encoder for a
// streamed plain scan, StreamScanRequest.encoding); evaluated or materialized rows are written here value by value
// through value-codec.ts into the same kind of buffer. test/integration/datarow-batch.test.ts compares both with
// PostgreSQL 15.
import { CHUNK_BYTES_MAX, ColumnDataRowEncoder, type EncodedRows, type TextSettings } from '../../../src/common/datarow-encoder.js'
import type { RowBatch, SqlValue } from '../../../sql/api.js'
import { isIsoDateStyle } from '../../../src/common/date-style-text.js'
import { encodeValueBinary, encodeValueText, FormatCode, TypeOid } from './value-codec.js'

export type { EncodedRows, TextSettings } from '../../../src/common/datarow-encoder.js'

/** Writes one value of a row (int32 length, then the bytes; -1 for NULL). */
type ValueWriter = (value: SqlValue) => void

/** A writer for values of one JavaScript type (`typeof`), straight into the buffer. */
interface DirectWriter { readonly type: 'number' | 'bigint'; readonly write: (value: Exclude<SqlValue, null>) => void }

/** The OIDs value-codec.ts has a binary form for by OID alone (arrays and reg* types are decided per value). */
const BINARY_CODEC_OIDS: ReadonlySet<number> = new Set([TypeOid.Bool, TypeOid.Int2, TypeOid.Int4, TypeOid.Oid, TypeOid.Int8,
  TypeOid.Float4, TypeOid.Float8, TypeOid.Timestamp, TypeOid.Timestamptz, TypeOid.Date, TypeOid.Time, TypeOid.Interval, TypeOid.Numeric,
  TypeOid.Name, TypeOid.Text, TypeOid.Bpchar, TypeOid.Varchar, TypeOid.Char, TypeOid.Void, TypeOid.Uuid, TypeOid.Bytea])

export class DataRowBatchEncoder extends ColumnDataRowEncoder {
  /**
   * DataRows for rows [from, to) of evaluated or materialized rows: each value through value-codec.ts (the bytes a
   * DataRow message per row would carry), written into this one buffer; float8 text of short decimals as encode()
   * writes it. Null when a column is binary with no binary codec (that 0A000 then comes from the row that has it).
   */
  encodeRows(rows: RowBatch, typeOids: ReadonlyArray<number>, formats: ReadonlyArray<number>, settings: TextSettings,
    range: { readonly from: number; readonly to: number }): EncodedRows | null {
    const writers: ValueWriter[] = []
    for (const [index, typeOid] of typeOids.entries()) {
      const writer = this.valueWriterOf(typeOid, formats[index] === FormatCode.Binary, settings)
      if (writer === null) return null
      writers.push(writer)
    }
    // Each value writer reads its column of row `index`: the row loop and its framing are the columnar encoder's.
    const columnWriters = writers.map((writer, column) => (index: number): void => writer(rows[index]?.[column] ?? null))
    this.offset = 0
    const rowCount = this.writeRows(columnWriters, range.from, range.to, CHUNK_BYTES_MAX, null)
    return { bytes: this.buffer.subarray(0, this.offset), rowCount }
  }

  private valueWriterOf(typeOid: number, isBinary: boolean, settings: TextSettings): ValueWriter | null {
    const direct = this.directWriterOf(typeOid, isBinary, settings)
    if (isBinary) {
      if (!BINARY_CODEC_OIDS.has(typeOid)) return null
      const viaCodec = (value: Exclude<SqlValue, null>): void => this.bytes(encodeValueBinary(value, typeOid))
      return (value) => (value === null ? this.null() : direct !== null && typeof value === direct.type ? direct.write(value) : viaCodec(value))
    }
    const viaCodec = (value: Exclude<SqlValue, null>): void => this.text(encodeValueText(value, typeOid, settings))
    return (value) => (value === null ? this.null() : direct !== null && typeof value === direct.type ? direct.write(value) : viaCodec(value))
  }

  /**
   * The columnar encoder's writers for the common result types, taken when the value has the JavaScript type the OID
   * carries (a number for floats and timestamps, a bigint for int8): the same bytes as value-codec.ts without a
   * string or Buffer per value (timestamps digit by digit, as a streamed scan's). Any other value goes the codec way.
   */
  private directWriterOf(typeOid: number, isBinary: boolean, settings: TextSettings): DirectWriter | null {
    switch (typeOid) {
      case TypeOid.Float8:
        return { type: 'number', write: isBinary ? (v) => this.float8Binary(v as number) : (v) => this.float8Text(v as number) }
      case TypeOid.Timestamp: case TypeOid.Timestamptz: {
        // Digit by digit is DateStyle ISO's text; the other styles go the codec way.
        if (!isBinary && !isIsoDateStyle(settings.dateStyle)) return null
        const zone = typeOid === TypeOid.Timestamp ? null : settings.timeZone
        return { type: 'number', write: isBinary ? (v) => this.timestampBinary(v as number) : (v) => this.timestampText(v as number, zone) }
      }
      case TypeOid.Int8:
        return { type: 'bigint', write: isBinary ? (v) => this.int8Binary(v as bigint) : (v) => this.ascii((v as bigint).toString()) }
      default: return null
    }
  }
}
