// sql/ingest/ingest-rows: which rows of an IngestBatch are refused and why — rejected columns, out-of-range values,
// missing NOT NULL columns — kept as one reason index per row, so errors come out in line order. Pure.
import type { TableSchema } from '../../engine/ops.js'
import type { IngestBatch, IngestColumn, IngestErrorCode, IngestLineError } from '../api.js'
import { columnDefault } from '../catalog/pg-attrdef.js'
import type { ColumnPlan } from './ingest-plan.js'

const INT64_MAX = (1n << 63n) - 1n

/** Whether `row` has a value in `column`. */
export function hasValue(column: IngestColumn, row: number): boolean {
  switch (column.kind) {
    case 'tag': return column.ids[row]! !== -1
    case 'string': return column.values[row] !== null
    default: return column.nulls[row] === 0
  }
}

export class RowRefusals {
  /** 0 = the row is kept; otherwise 1 + index into `reasons`. */
  private byRow: Uint16Array | null = null
  private readonly reasons: Array<{ code: IngestErrorCode; message: string }> = []
  private refusedCount = 0

  constructor(private readonly batch: IngestBatch) {}

  get count(): number {
    return this.refusedCount
  }

  /** Refuses every row (a bad table name, a table that cannot be created). */
  refuseAll(code: IngestErrorCode, message: string): void {
    const reason = this.reason(code, message)
    const byRow = this.rows()
    for (let row = 0; row < this.batch.rowCount; row++) this.mark(byRow, row, reason)
  }

  /** Refuses the rows that have a value in `column`. */
  refuseColumn(column: IngestColumn, code: IngestErrorCode, message: string): void {
    let reason = -1
    for (let row = 0; row < this.batch.rowCount; row++) {
      if (!hasValue(column, row)) continue
      if (reason < 0) reason = this.reason(code, message)
      this.mark(this.rows(), row, reason)
    }
  }

  /** Refuses integer values that do not fit `bits` (int2, int4, int8); unsigned values above 2^63-1 for int8. */
  refuseOutOfRange(column: IngestColumn, bits: 16 | 32 | 64, tableName: string): void {
    if (column.kind !== 'integer' && column.kind !== 'unsigned') return
    if (column.kind === 'integer' && bits === 64) return
    const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n
    const min = -max - 1n
    let reason = -1
    for (let row = 0; row < this.batch.rowCount; row++) {
      if (column.nulls[row] === 1) continue
      const value = column.values[row]!
      if (value <= max && value >= min) continue
      if (reason < 0) reason = this.reason('ValueOutOfRange', `value of column "${column.name}" of "${tableName}" is out of range for int${bits / 8}`)
      this.mark(this.rows(), row, reason)
    }
  }

  /**
   * Refuses one row. Reasons are kept per distinct message (callers word them per column, not per value, so a
   * batch keeps few of them).
   */
  refuseRow(row: number, code: IngestErrorCode, message: string): void {
    let reason = this.reasons.findIndex((r) => r.code === code && r.message === message) + 1
    if (reason === 0) reason = this.reason(code, message)
    this.mark(this.rows(), row, reason)
  }

  /** Refuses rows lacking a value for a NOT NULL column of the table (other than the designated timestamp). */
  refuseMissingNotNull(table: TableSchema, plans: ReadonlyArray<ColumnPlan>): void {
    table.columns.forEach((schema, index) => {
      // A column with a DEFAULT gets it where a line leaves the field out (ingest-defaults.ts).
      if (!schema.notNull || index === table.timestampIndex || columnDefault(schema) !== null) return
      const source = plans.findIndex((plan) => plan.kind === 'map' && plan.column === index)
      const column = this.batch.columns[source]
      const message = `null value in column "${schema.name}" of relation "${table.name}" violates not-null constraint`
      let reason = -1
      for (let row = 0; row < this.batch.rowCount; row++) {
        if (column !== undefined && hasValue(column, row)) continue
        if (reason < 0) reason = this.reason('NotNullViolation', message)
        this.mark(this.rows(), row, reason)
      }
    })
  }

  /** Indices of kept rows, or null when every row is kept. */
  keptRows(): Int32Array | null {
    const byRow = this.byRow
    if (byRow === null || this.refusedCount === 0) return null
    const kept = new Int32Array(this.batch.rowCount - this.refusedCount)
    let at = 0
    for (let row = 0; row < this.batch.rowCount; row++) if (byRow[row] === 0) kept[at++] = row
    return kept
  }

  /** The first `max` refusals in row (hence line) order. */
  errors(max: number): IngestLineError[] {
    const errors: IngestLineError[] = []
    const byRow = this.byRow
    if (byRow === null) return errors
    for (let row = 0; row < this.batch.rowCount && errors.length < max; row++) {
      const reason = this.reasons[byRow[row]! - 1]
      if (reason !== undefined) errors.push({ line: this.batch.lineNumbers[row]!, code: reason.code, message: reason.message })
    }
    return errors
  }

  private rows(): Uint16Array {
    this.byRow ??= new Uint16Array(this.batch.rowCount)
    return this.byRow
  }

  private reason(code: IngestErrorCode, message: string): number {
    // Reasons are per column, so a batch has at most (columns + a few) of them: far below 2^16.
    this.reasons.push({ code, message })
    return this.reasons.length
  }

  /** The first reason found for a row is the one reported. */
  private mark(byRow: Uint16Array, row: number, reason: number): void {
    if (byRow[row] !== 0) return
    byRow[row] = reason
    this.refusedCount++
  }
}
