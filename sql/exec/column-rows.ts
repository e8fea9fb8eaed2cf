// sql/exec/column-rows: a streamed batch handed to wire as the cores' column vectors (api.ts ColumnRows), for plans
// that only pick scanned columns: no row is built on the control side unless a consumer asks for rows.
import type { ColumnVector, RowsPartial } from '../../engine/batch.js'
import { assert } from '../../src/common/assert.js'
import type { ColumnRows, RowBatch, SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import type { Expr } from '../bind/expr.js'
import { isRegType } from '../catalog/catalog-lookup.js'
import { vectorValue } from '../physical/vector-value.js'

/**
 * The scan slots a plan's result columns are, in order, or null when a result column is computed (or a reg* type,
 * which sql prints as a name). `exprs` null: every scanned column as it is.
 */
export function plainSlotsOf(exprs: ReadonlyArray<Expr> | null, scanTypes: ReadonlyArray<SqlType>, keepCount: number | null): number[] | null {
  const all = exprs === null ? scanTypes.map((_, slot) => slot) : exprs.map((expr) => (expr.kind === 'Slot' ? expr.slot : -1))
  const slots = keepCount === null ? all : all.slice(0, keepCount)
  if (slots.some((slot) => slot < 0)) return null
  return slots.some((slot) => isRegType(scanTypes[slot]?.name ?? 'unknown')) ? null : slots
}

/** Rows [from, to) of one vector; typed arrays are views, not copies. */
function sliceVector(vector: ColumnVector, from: number, to: number): ColumnVector {
  switch (vector.kind) {
    case 'symbol': return { kind: 'symbol', ids: vector.ids.subarray(from, to), dict: vector.dict }
    case 'text': return { kind: 'text', values: vector.values.slice(from, to) }
    case 'timestamp': case 'f64': return { kind: vector.kind, values: vector.values.subarray(from, to), ...nullsOf(vector.nulls, from, to) }
    case 'i64': return { kind: 'i64', values: vector.values.subarray(from, to), ...nullsOf(vector.nulls, from, to) }
    case 'bool': return { kind: 'bool', values: vector.values.subarray(from, to), ...nullsOf(vector.nulls, from, to) }
  }
}

function nullsOf(nulls: Uint8Array | undefined, from: number, to: number): { nulls?: Uint8Array } {
  return nulls === undefined ? {} : { nulls: nulls.subarray(from, to) }
}

/** Rows [from, to) of a core's batch as the result columns `slots` (types: the scanned columns' types). */
export function columnRowsOf(partial: RowsPartial, slots: ReadonlyArray<number>, types: ReadonlyArray<SqlType>, from: number, to: number): ColumnRows {
  const whole = from === 0 && to === partial.rowCount
  const columns = slots.map((slot) => {
    const vector = partial.columns[slot]
    assert(vector !== undefined, `scan slot ${slot} is not in the batch`)
    return whole ? vector : sliceVector(vector, from, to)
  })
  const outputTypes = slots.map((slot) => types[slot] ?? { name: 'unknown', typmod: -1 })
  return {
    kind: 'ColumnRows',
    rowCount: to - from,
    columns,
    rows(rowFrom: number, rowTo: number): RowBatch {
      const rows: SqlValue[][] = []
      for (let row = rowFrom; row < rowTo; row += 1) rows.push(columns.map((vector, index) => vectorValue(vector, row, outputTypes[index]!)))
      return rows
    },
  }
}
