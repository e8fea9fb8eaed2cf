// test/unit/wire/ilp/ilp-rows: turns columnar parse results back into one plain object per row, so tests can state
// expected rows literally. Test-only; a naive per-row walk over the LineBatch columns.
import { assertNever } from '../../../../src/common/assert.js'
import type { LineBatch } from '../../../../wire/ilp/line-batch.js'

export type RowValue =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'unsigned'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }

export interface Row {
  readonly measurement: string
  readonly timestampUs: number
  readonly tags: Record<string, string>
  readonly fields: Record<string, RowValue>
}

/** Rows of every batch, batch by batch (rows keep their input order within a measurement). */
export function rowsOf(batches: ReadonlyArray<LineBatch>): Row[] {
  const rows: Row[] = []
  for (const batch of batches) {
    for (let row = 0; row < batch.rowCount; row++) {
      const tags: Record<string, string> = {}
      const fields: Record<string, RowValue> = {}
      for (const column of batch.columns) {
        switch (column.kind) {
          case 'tag': {
            const id = column.ids[row]!
            if (id >= 0) tags[column.name] = column.dict[id]!
            break
          }
          case 'float': if (column.nulls[row] === 0) fields[column.name] = { kind: 'float', value: column.values[row]! }; break
          case 'integer': if (column.nulls[row] === 0) fields[column.name] = { kind: 'integer', value: column.values[row]! }; break
          case 'unsigned': if (column.nulls[row] === 0) fields[column.name] = { kind: 'unsigned', value: column.values[row]! }; break
          case 'boolean': if (column.nulls[row] === 0) fields[column.name] = { kind: 'boolean', value: column.values[row] === 1 }; break
          case 'string': {
            const value = column.values[row]
            if (value !== null && value !== undefined) fields[column.name] = { kind: 'string', value }
            break
          }
          default: assertNever(column)
        }
      }
      rows.push({ measurement: batch.measurement, timestampUs: batch.timestampsUs[row]!, tags, fields })
    }
  }
  return rows
}

export const float = (value: number): RowValue => ({ kind: 'float', value })
export const integer = (value: bigint): RowValue => ({ kind: 'integer', value })
export const unsigned = (value: bigint): RowValue => ({ kind: 'unsigned', value })
export const string = (value: string): RowValue => ({ kind: 'string', value })
export const boolean = (value: boolean): RowValue => ({ kind: 'boolean', value })
