// test/unit/engine/memtable-cells: one cell of a batch or of a memtable column as a plain value, for the memtable
// tests' comparisons (the appended batches are their oracle).
import type { ColumnBatch } from '../../../engine/batch.js'
import { isMemNull, type MemColumn } from '../../../engine/timeseries/memtable.js'

export type Cell = number | bigint | string | null

/** Row `row` of `batch` column `c` as a plain value (null for NULL; a column the batch lacks is NULL). */
export function batchCell(batch: ColumnBatch, c: number, row: number): Cell {
  const vector = batch.columns[c]
  if (vector === undefined) return null
  switch (vector.kind) {
    case 'symbol': return vector.ids[row] === -1 ? null : vector.dict[vector.ids[row]!]!
    case 'text': return vector.values[row] ?? null
    default: return vector.nulls?.[row] === 1 ? null : vector.values[row]!
  }
}

export function memCell(column: MemColumn, row: number): Cell {
  if (isMemNull(column, row)) return null
  switch (column.kind) {
    case 'symbol': return column.dict[column.ids[row]!]!
    case 'text': return column.values[row] ?? null
    default: return column.values[row]!
  }
}
