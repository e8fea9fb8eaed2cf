// sql/exec/copy-rows: the rows of one COPY FROM, parsed from CopyData as it arrives (text, CSV or binary): every
// field is cast to its column's type exactly as INSERT casts a quoted literal (castTyped from unknown; binary fields
// as binary parameters), NOT NULL is checked per row, and the rows go into column builders. Errors carry
// PostgreSQL's CONTEXT ("COPY t, line 3, column v: "x""). Runs on the event loop (copy-in.ts) or in a COPY parse
// worker (copy-parse-pool.ts); the same code either way, so both accept and refuse exactly the same input.
import type { ColumnBatch } from '../../engine/batch.js'
import type { TableSchema } from '../../engine/ops.js'
import { badCopyFileFormat, isDbError, notNullViolation, programLimitExceeded, withContext } from '../../src/common/errors.js'
import { COPY_BATCH_BYTES_MAX } from '../../src/common/limits.js'
import type { SqlValue } from '../api.js'
import { sqlType, type SqlType } from '../bind/types.js'
import { decodeBinaryParam } from '../expr/cast-value.js'
import type { FunctionContext } from '../functions/function-def.js'
import { CopyBinaryParser } from './copy-binary.js'
import { CopyColumns, type ColumnArrayPool } from './copy-columns.js'
import { CopyFastLines } from './copy-fast.js'
import type { CopyOptions } from './copy-options.js'
import { decodeUtf8 } from './copy-decode.js'
import { CopyTextParser } from './copy-text.js'
import { castTyped } from './value-ops.js'

export interface BoundCopyFrom {
  readonly table: TableSchema
  /** Table column index of each COPY column, in COPY order. */
  readonly targets: ReadonlyArray<number>
  readonly targetTypes: ReadonlyArray<SqlType>
  readonly options: CopyOptions
  readonly forceNotNull: ReadonlyArray<boolean>
  readonly forceNull: ReadonlyArray<boolean>
  /** Per table column, the value a column the COPY leaves out gets (its default, column-default.ts); undefined: NULL. */
  readonly defaults?: ReadonlyArray<SqlValue | undefined>
  /** Of those, the columns whose default is volatile: evaluated per row once the rows are parsed (copy-in.ts). */
  readonly volatileDefaults?: ReadonlyArray<number>
}

const UNKNOWN = sqlType('unknown')
const DISPLAY_BYTES_MAX = 100
const TEXT_LIKE = new Set(['text', 'varchar', 'bpchar', 'name', 'char'])

/** limit_printout_length: at most 100 bytes of a value or line in a CONTEXT, then '...'. */
function printable(text: string): string {
  if (Buffer.byteLength(text) <= DISPLAY_BYTES_MAX) return text
  let cut = ''
  for (const c of text) {
    if (Buffer.byteLength(cut + c) > DISPLAY_BYTES_MAX) break
    cut += c
  }
  return `${cut}...`
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k)
const EXACT_DIGITS_MAX = 15

/**
 * float8in for the plain decimals COPY data is made of ([-]digits[.digits]); undefined sends the text the general
 * way. With at most 15 digits the digits form an integer below 2^53 and 10^k (k ≤ 22) is exact, so one division is
 * correctly rounded: the same double strtod gives (Clinger's fast path), without building a number from the string.
 * INSERT's float8 literals use it too (insert.ts).
 */
export function plainDecimal(text: string): number | undefined {
  const isNegative = text.charCodeAt(0) === 45
  let mantissa = 0
  let digits = 0
  let fractionDigits = -1
  for (let i = isNegative ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48)
      digits++
      if (fractionDigits >= 0) fractionDigits++
    } else if (c === 46 && fractionDigits < 0) fractionDigits = 0
    else return undefined
  }
  if (digits === 0) return undefined
  if (digits > EXACT_DIGITS_MAX) return Number(text)
  const value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa
  return isNegative ? -value : value
}

/** A cast that remembers its last input: time-series rows repeat the same timestamp for every series. */
function remembering(cast: (text: string) => SqlValue): (text: string) => SqlValue {
  let lastText: string | null = null
  let lastValue: SqlValue = null
  return (text) => {
    if (text === lastText) return lastValue
    const value = cast(text)
    lastText = text
    lastValue = value
    return value
  }
}

type TextCast = (text: string) => SqlValue
type BinaryCast = (bytes: Uint8Array) => SqlValue

function textCast(type: SqlType, functions: FunctionContext): TextCast {
  if (type.name === 'text' && type.typmod < 0) return (text) => text
  if (type.name === 'float8') return (text) => plainDecimal(text) ?? castTyped(text, UNKNOWN, type, functions)
  return remembering((text) => castTyped(text, UNKNOWN, type, functions))
}

function binaryCast(type: SqlType, functions: FunctionContext): BinaryCast {
  const base = sqlType(type.name)
  const isText = TEXT_LIKE.has(type.name)
  return (bytes) => {
    if (isText) decodeUtf8(bytes)
    return castTyped(decodeBinaryParam(bytes, base), base, type, functions)
  }
}

/** The parse and column building of one COPY FROM: CopyData in, one ColumnBatch out; every error as PostgreSQL words it. */
export class CopyRows {
  private readonly columns: CopyColumns
  private readonly parser: CopyTextParser | CopyBinaryParser
  private readonly row: SqlValue[]
  private readonly names: ReadonlyArray<string>
  private isOver = false

  /** `pool`: where the columns take their arrays (a parse worker's, which gets them back with `recycle`). */
  constructor(private readonly bound: BoundCopyFrom, functions: FunctionContext, pool?: ColumnArrayPool) {
    this.columns = new CopyColumns(bound.table.columns, pool)
    // Only targets are written per row: the other columns keep their default (or NULL) in every row.
    this.row = bound.table.columns.map((_column, c) => bound.defaults?.[c] ?? null)
    this.names = bound.targets.map((target) => bound.table.columns[target]!.name)
    if (bound.options.format === 'binary') {
      const casts = bound.targetTypes.map((type) => binaryCast(type, functions))
      this.parser = new CopyBinaryParser(bound.targets.length, (fields, line) => this.binaryTuple(casts, fields, line))
    } else {
      const casts = bound.targetTypes.map((type) => textCast(type, functions))
      const hasDefaults = bound.defaults?.some((value) => value !== undefined) === true
      // The fast path writes NULL into the columns a COPY leaves out: with defaults to fill, the general path runs.
      const fast = hasDefaults ? null : CopyFastLines.create(this.columns, bound.table, bound.targets, bound.targetTypes, casts, bound.options, bound.forceNotNull)
      this.parser = new CopyTextParser(bound.options, bound.forceNotNull, bound.forceNull,
        (fields, line, raw) => this.textRecord(casts, fields, line, raw), fast)
    }
  }

  get rowCount(): number {
    return this.columns.rowCount
  }

  /** One CopyData payload. Throws the COPY's error (and is over then). */
  push(data: Uint8Array): void {
    if (this.isOver) return
    this.guard(() => this.parser.push(data))
    if (this.parser.heldBytes > COPY_BATCH_BYTES_MAX) {
      this.abort()
      throw programLimitExceeded(`COPY FROM line longer than ${COPY_BATCH_BYTES_MAX} bytes is not supported`)
    }
  }

  /** CopyDone: parses the rest; the rows are then `batch()` (release() when done with them). */
  end(): void {
    if (this.isOver) throw new Error('COPY rows ended twice')
    this.guard(() => this.parser.end())
    this.isOver = true
  }

  batch(): ColumnBatch {
    return this.columns.batch()
  }

  /** Gives the rows' bytes back to the shared budget; idempotent. */
  release(): void {
    this.columns.release()
  }

  abort(): void {
    this.isOver = true
    this.columns.release()
  }

  /** Ends the COPY and gives its column arrays to its pool: only when no batch of them left the thread. */
  recycle(): void {
    this.abort()
    this.columns.recycle()
  }

  /** Runs a parse step; any error ends the COPY, and one without a CONTEXT gets the line as PostgreSQL names it. */
  private guard(step: () => void): void {
    try {
      step()
    } catch (thrown) {
      this.abort()
      if (!isDbError(thrown) || thrown.where !== undefined) throw thrown
      if (this.parser instanceof CopyBinaryParser && !this.parser.isHeaderRead) throw thrown
      const field = this.parser instanceof CopyBinaryParser ? this.parser.failedField : null
      if (field !== null && field < this.names.length) throw withContext(thrown, `COPY ${this.bound.table.name}, line ${this.parser.line}, column ${this.names[field]}`)
      const raw = this.parser instanceof CopyTextParser ? this.parser.failedRaw : null
      if (raw !== null) throw this.lineError(thrown, this.parser.line, raw)
      throw withContext(thrown, `COPY ${this.bound.table.name}, line ${this.parser.line}`)
    }
  }

  private lineError(thrown: unknown, line: number, raw: string): unknown {
    if (!isDbError(thrown) || thrown.where !== undefined) return thrown
    return withContext(thrown, `COPY ${this.bound.table.name}, line ${line}: "${printable(raw)}"`)
  }

  private textRecord(casts: ReadonlyArray<TextCast>, fields: ReadonlyArray<string | null>, line: number, raw: string): void {
    try {
      if (line === 1 && this.bound.options.header !== false) {
        if (this.bound.options.header === 'match') this.matchHeader(fields)
        return
      }
      if (fields.length > casts.length) throw badCopyFileFormat('extra data after last expected column')
    } catch (thrown) {
      throw this.lineError(thrown, line, raw)
    }
    const targets = this.bound.targets
    // As NextCopyFrom: a missing field is found when its column's turn comes, after the fields before it were cast.
    for (let i = 0; i < casts.length; i++) {
      if (i >= fields.length) throw this.lineError(badCopyFileFormat(`missing data for column "${this.names[i]}"`), line, raw)
      const text = fields[i]!
      if (text === null) {
        this.row[targets[i]!] = null
        continue
      }
      try {
        this.row[targets[i]!] = casts[i]!(text)
      } catch (thrown) {
        if (!isDbError(thrown)) throw thrown
        throw withContext(thrown, `COPY ${this.bound.table.name}, line ${line}, column ${this.names[i]}: "${printable(text)}"`)
      }
    }
    try {
      this.appendRow()
    } catch (thrown) {
      throw this.lineError(thrown, line, raw)
    }
  }

  private binaryTuple(casts: ReadonlyArray<BinaryCast>, fields: ReadonlyArray<Uint8Array | null>, line: number): void {
    const targets = this.bound.targets
    for (let i = 0; i < casts.length; i++) {
      const bytes = fields[i]!
      try {
        this.row[targets[i]!] = bytes === null ? null : casts[i]!(bytes)
      } catch (thrown) {
        if (!isDbError(thrown)) throw thrown
        throw withContext(thrown, `COPY ${this.bound.table.name}, line ${line}, column ${this.names[i]}`)
      }
    }
    try {
      this.appendRow()
    } catch (thrown) {
      if (!isDbError(thrown)) throw thrown
      throw withContext(thrown, `COPY ${this.bound.table.name}, line ${line}`)
    }
  }

  private appendRow(): void {
    const columns = this.bound.table.columns
    for (let c = 0; c < columns.length; c++) {
      if (columns[c]!.notNull && this.row[c] === null) throw notNullViolation(columns[c]!.name, this.bound.table.name)
    }
    this.columns.appendRow(this.row)
  }

  /** HEADER MATCH: the header line must name the COPY's columns, in order. */
  private matchHeader(fields: ReadonlyArray<string | null>): void {
    if (fields.length !== this.names.length) {
      throw badCopyFileFormat(`wrong number of fields in header line: got ${fields.length}, expected ${this.names.length}`)
    }
    fields.forEach((field, i) => {
      const expected = this.names[i]!
      if (field === null) throw badCopyFileFormat(`column name mismatch in header line field ${i + 1}: got null value ("${this.bound.options.nullString}"), expected "${expected}"`)
      if (field !== expected) throw badCopyFileFormat(`column name mismatch in header line field ${i + 1}: got "${field}", expected "${expected}"`)
    })
  }
}
