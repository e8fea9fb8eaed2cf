// wire/pg/codecs/datarow-batch: result rows → DataRow messages written straight into one reused Buffer. Column
// vectors (sql's ColumnRows) go through src/common/datarow-encoder.ts (the cores run the same encoder for a
// streamed plain scan, StreamScanRequest.encoding); evaluated or materialized rows are written here value by value
// through value-codec.ts into the same kind of buffer. test/integration/datarow-batch.test.ts compares both with
// PostgreSQL 15.
import { CHUNK_BYTES_MAX, ColumnDataRowEncoder, type EncodedRows, type TextSettings } from '../../../src/common/datarow-encoder.js'
import type { RowBatch, SqlValue } from '../../../sql/api.js'
import { encodeValueBinary, encodeValueText, FormatCode, TypeOid } from './value-codec.js'

export type { EncodedRows, TextSettings } from '../../../src/common/datarow-encoder.js'

/** Writes one value of a row (int32 length, then the bytes; -1 for NULL). */
type ValueWriter = (value: SqlValue) => void

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
    if (isBinary) {
      if (!BINARY_CODEC_OIDS.has(typeOid)) return null
      return (value) => (value === null ? this.null() : this.bytes(encodeValueBinary(value, typeOid)))
    }
    if (typeOid === TypeOid.Float8) {
      return (value) => (value === null ? this.null() : typeof value === 'number' ? this.float8Text(value) : this.text(encodeValueText(value, typeOid)))
    }
    return (value) => (value === null ? this.null() : this.text(encodeValueText(value, typeOid, settings)))
  }
}
