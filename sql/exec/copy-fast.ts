// sql/exec/copy-fast: COPY FROM's fast path for text and CSV lines that need no un-escaping: the bytes of whole lines
// are cut into fields and written straight into the column builders, without a string per field. float8 fields are
// read from their bytes (the same plain-decimal rule as the string path), timestamps reuse the previous row's value
// when their bytes repeat, text tags are looked up in the dictionary by their bytes. Anything else a field needs goes
// through the same cast as the string path. A line this path cannot take as is (wrong field count, a value its cast
// refuses, a NULL in a NOT NULL column, a budget) is left to the string path, which then raises PostgreSQL's error
// with its CONTEXT: both paths accept exactly the same lines with exactly the same values.
import type { TableSchema } from '../../engine/ops.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import type { ColumnBuilder, CopyColumns } from './copy-columns.js'
import { ChunkView, SymbolSpanCache, type SpanField } from './copy-fast-span.js'
import { bytesEqualAt } from '../../src/common/bytes-equal.js'
import type { CopyOptions } from './copy-options.js'

type TextCast = (text: string) => SqlValue

/** How a field is written: from its bytes (the first three) or through its cast from a string. */
const enum Decode { F64, Timestamp, Symbol, General }

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k)
const EXACT_DIGITS_MAX = 15
const REMEMBERED_BYTES_MAX = 64

/**
 * plainDecimal (copy-rows.ts) over bytes: [-]digits[.digits] with at most 15 digits, from `start` up to `end` or the
 * first `stop` byte; stores the value in `out[at]` and returns the offset of the byte that ended it, or -1 for anything
 * else (nothing stored), which the string path then reads. The value goes straight into the column's array: a double
 * returned from a call TurboFan does not inline is boxed, and ten of those per TSBS row were ~160 bytes of garbage per
 * row, a scavenge of the parse worker's young generation every ~6,000 rows.
 */
function plainDecimalInto(bytes: Uint8Array, start: number, end: number, stop: number, out: Float64Array, at: number): number {
  let i = start
  const isNegative = i < end && bytes[i] === 45
  if (isNegative) i++
  const digitsStart = i
  let mantissa = 0
  let c = -1
  for (; i < end; i++) {
    c = bytes[i]!
    if (c < 48 || c > 57) break
    mantissa = mantissa * 10 + (c - 48)
  }
  let digits = i - digitsStart
  let fractionDigits = 0
  if (i < end && c === 46) {
    const fractionStart = ++i
    for (; i < end; i++) {
      c = bytes[i]!
      if (c < 48 || c > 57) break
      mantissa = mantissa * 10 + (c - 48)
    }
    fractionDigits = i - fractionStart
    digits += fractionDigits
  }
  if ((i < end && bytes[i] !== stop) || digits === 0 || digits > EXACT_DIGITS_MAX) return -1
  const value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa
  out[at] = isNegative ? -value : value
  return i
}

function sameBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array, otherLength: number): boolean {
  if (end - start !== otherLength) return false
  for (let i = 0; i < otherLength; i++) if (bytes[start + i] !== other[i]) return false
  return true
}

/** FNV-1a over a field's bytes: the key of the dictionary-by-bytes of a symbol column. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
  return hash
}

/** One COPY column on the fast path: where it goes, how it is decoded, and its caches. */
class FastColumn implements SpanField {
  /** Timestamp: the previous field's bytes and value. */
  private readonly lastBytes = new Uint8Array(REMEMBERED_BYTES_MAX)
  private readonly lastWords = new DataView(this.lastBytes.buffer)
  private readonly view = new ChunkView()
  private lastLength = -1
  private lastValue: SqlValue = null
  /** The column's number for lastValue (what ColumnBuilder.append stores), when lastLength ≥ 0. */
  private lastNumber = 0
  /** Symbol: dictionary id by hash of the bytes, and each id's bytes to confirm a hit (a collision takes the string). */
  private readonly idsByHash = new Map<number, number>()
  private readonly bytesById: Uint8Array[] = []
  /** Symbol: the id putSymbol wrote last and its row, for the span cache of a run of tags (copy-fast-span.ts). */
  lastId = -1
  lastRow = -1

  /** F64 whose NULL string cannot read as a plain decimal: digits are parsed while the field's end is sought. */
  readonly isPlainF64: boolean

  constructor(readonly builder: ColumnBuilder, readonly decode: Decode, readonly cast: TextCast,
    readonly isNullable: boolean, readonly mayBeNull: boolean, nullBytes: Buffer) {
    const nullIsDecimal = plainDecimalInto(nullBytes, 0, nullBytes.length, -1, new Float64Array(1), 0) >= 0
    this.isPlainF64 = decode === Decode.F64 && !(mayBeNull && nullIsDecimal)
  }

  /**
   * One pass over a plain-decimal field: stores it and returns the offset of its end (the delimiter or the line
   * end), or -1 when the field is anything else (then nothing is stored and the general way takes it).
   */
  scanF64(bytes: Buffer, start: number, lineEnd: number, delimiter: number, row: number): number {
    return plainDecimalInto(bytes, start, lineEnd, delimiter, this.builder.f64Values, row)
  }

  /** Writes the field into row `row`; returns the bytes it adds beyond the fixed width. Throws what the cast throws. */
  put(bytes: Buffer, start: number, end: number, row: number): number {
    switch (this.decode) {
      case Decode.F64: {
        if (plainDecimalInto(bytes, start, end, -1, this.builder.f64Values, row) >= 0) return 0
        return this.builder.append(row, this.cast(bytes.toString('utf8', start, end)))
      }
      case Decode.Timestamp: return this.putTimestamp(bytes, start, end, row)
      case Decode.Symbol: return this.putSymbol(bytes, start, end, row)
      case Decode.General: return this.builder.append(row, this.cast(bytes.toString('utf8', start, end)))
    }
  }

  /**
   * A timestamp field that repeats the previous one's bytes (rows of one instant for every series): stores its value
   * and returns the offset of the byte that ends it, without seeking the field's end first; -1 for any other field.
   * The remembered bytes were never the NULL string (putTimestamp runs after that check), so they cannot be NULL here.
   */
  repeatTimestamp(bytes: Buffer, start: number, lineEnd: number, delimiter: number, row: number): number {
    const length = this.lastLength
    const end = start + length
    if (length < 0 || end > lineEnd || (end < lineEnd && bytes[end] !== delimiter)) return -1
    if (!bytesEqualAt(bytes, this.view.of(bytes), start, this.lastBytes, this.lastWords, length)) return -1
    this.builder.f64Values[row] = this.lastNumber
    return end
  }

  private putTimestamp(bytes: Buffer, start: number, end: number, row: number): number {
    if (!sameBytes(bytes, start, end, this.lastBytes, this.lastLength)) {
      const value = this.cast(bytes.toString('utf8', start, end))
      const length = end - start
      this.lastLength = -1
      this.lastValue = value
      if (length <= REMEMBERED_BYTES_MAX && value !== null) {
        this.lastBytes.set(bytes.subarray(start, end))
        this.lastNumber = Number(value)
        this.lastLength = length
      }
    }
    return this.builder.append(row, this.lastValue)
  }

  private putSymbol(bytes: Buffer, start: number, end: number, row: number): number {
    const hash = hashBytes(bytes, start, end)
    const known = this.idsByHash.get(hash)
    if (known !== undefined) {
      const knownBytes = this.bytesById[known]!
      if (sameBytes(bytes, start, end, knownBytes, knownBytes.length)) {
        this.setId(row, known)
        return 0
      }
    }
    const { id, addedBytes } = this.builder.symbolId(bytes.toString('utf8', start, end))
    if (known === undefined) {
      this.idsByHash.set(hash, id)
      this.bytesById[id] = Uint8Array.prototype.slice.call(bytes, start, end)
    }
    this.setId(row, id)
    return addedBytes
  }

  setId(row: number, id: number): void {
    this.builder.setSymbolId(row, id)
    this.lastId = id
    this.lastRow = row
  }

  putId(row: number, id: number): void {
    this.builder.setSymbolId(row, id)
  }
}

export interface FastLinesResult {
  /** Bytes of whole lines taken (the rest, from a line the fast path left, goes to the string path). */
  readonly end: number
  readonly lineCount: number
}

/** The fast path of one COPY FROM; null from `create` when the COPY's shape does not allow it. */
export class CopyFastLines {
  private readonly delimiter: number
  private readonly nullBytes: Buffer
  private readonly untargeted: ReadonlyArray<ColumnBuilder>

  /** Per field: the span cache of the run of tags it starts (`spanAt`) or ends (`learnAt`), else null. */
  private readonly spanAt: Array<SymbolSpanCache | null>
  private readonly learnAt: Array<SymbolSpanCache | null>

  private constructor(private readonly columns: CopyColumns, private readonly fields: ReadonlyArray<FastColumn>,
    options: CopyOptions, untargeted: ReadonlyArray<ColumnBuilder>) {
    this.delimiter = options.delimiter.charCodeAt(0)
    this.nullBytes = Buffer.from(options.nullString)
    this.untargeted = untargeted
    this.spanAt = fields.map(() => null)
    this.learnAt = fields.map(() => null)
    for (let first = 0; first < fields.length;) {
      let next = first
      while (next < fields.length && fields[next]!.decode === Decode.Symbol) next++
      if (next - first >= 2) {
        const cache = new SymbolSpanCache(fields.slice(first, next))
        this.spanAt[first] = cache
        this.learnAt[next - 1] = cache
      }
      first = Math.max(next, first + 1)
    }
  }

  /**
   * The fast path for a COPY into `table` of columns `targets`, cast by `casts`; null when a column the COPY does
   * not name is NOT NULL (every row fails there) or the delimiter is not a single byte.
   */
  static create(columns: CopyColumns, table: TableSchema, targets: ReadonlyArray<number>, types: ReadonlyArray<SqlType>,
    casts: ReadonlyArray<TextCast>, options: CopyOptions, forceNotNull: ReadonlyArray<boolean>): CopyFastLines | null {
    if (options.delimiter.length !== 1 || options.delimiter.charCodeAt(0) > 0x7f) return null
    const named = new Set(targets)
    const untargeted = table.columns.flatMap((_column, c) => (named.has(c) ? [] : [c]))
    if (untargeted.some((c) => table.columns[c]!.notNull)) return null
    const fields = targets.map((target, i) => {
      const column = table.columns[target]!
      const type = types[i]!
      let decode = Decode.General
      if (column.kind === 'f64' && type.name === 'float8') decode = Decode.F64
      else if (column.kind === 'timestamp') decode = Decode.Timestamp
      else if (column.kind === 'symbol' && type.name === 'text' && type.typmod < 0) decode = Decode.Symbol
      const mayBeNull = options.format !== 'csv' || forceNotNull[i] !== true
      return new FastColumn(columns.builder(target), decode, casts[i]!, !column.notNull, mayBeNull, Buffer.from(options.nullString))
    })
    return new CopyFastLines(columns, fields, options, untargeted.map((c) => columns.builder(c)))
  }

  /** Takes whole lines of `bytes` (which ends with a newline) until one needs the string path. */
  parse(bytes: Buffer): FastLinesResult {
    let pos = 0
    let lineCount = 0
    while (pos < bytes.length) {
      const newline = bytes.indexOf(0x0a, pos)
      if (newline < 0 || !this.line(bytes, pos, newline)) break
      pos = newline + 1
      lineCount++
    }
    return { end: pos, lineCount }
  }

  /**
   * One line into the next row; false when the string path must take it. A row left half-written is discarded first
   * (its NULL marks and text values undone), so the string path writes it from scratch whatever it decides.
   */
  private line(bytes: Buffer, start: number, lineEnd: number): boolean {
    const row = this.columns.startRow()
    let isTaken = false
    try {
      isTaken = this.fill(bytes, start, lineEnd, row)
    } catch {
      isTaken = false
    }
    if (!isTaken) this.columns.discardRow(row)
    return isTaken
  }

  private fill(bytes: Buffer, start: number, lineEnd: number, row: number): boolean {
    const fields = this.fields
    const delimiter = this.delimiter
    let addedBytes = 0
    let pos = start
    for (let i = 0; i < fields.length; i++) {
      if (pos > lineEnd) return false
      const span = this.spanAt[i]!
      if (span !== null) {
        const spanEnd = span.take(bytes, pos, lineEnd, delimiter, row)
        if (spanEnd >= 0) {
          pos = spanEnd + 1
          i += span.fieldCount - 1
          continue
        }
      }
      const field = fields[i]!
      if (field.decode === Decode.Timestamp) {
        const fieldEnd = field.repeatTimestamp(bytes, pos, lineEnd, delimiter, row)
        if (fieldEnd >= 0) {
          pos = fieldEnd + 1
          continue
        }
      }
      if (field.isPlainF64) {
        const fieldEnd = field.scanF64(bytes, pos, lineEnd, delimiter, row)
        if (fieldEnd >= 0) {
          pos = fieldEnd + 1
          continue
        }
      }
      let end = pos
      while (end < lineEnd && bytes[end] !== delimiter) end++
      if (field.mayBeNull && sameBytes(bytes, pos, end, this.nullBytes, this.nullBytes.length)) {
        if (!field.isNullable) return false
        field.builder.append(row, null)
      } else addedBytes += field.put(bytes, pos, end, row)
      pos = end + 1
      this.learnAt[i]?.learn(bytes, row)
    }
    if (pos <= lineEnd) return false
    for (let i = 0; i < this.untargeted.length; i++) this.untargeted[i]!.append(row, null)
    this.columns.finishRow(addedBytes)
    return true
  }
}
