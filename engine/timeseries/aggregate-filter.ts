// engine/timeseries/aggregate-filter: aggregate FILTER (WHERE …) on the cores. Each filtered aggregate's condition
// runs as the scan's own expressions do (expr-eval.ts vector kernels, windows of at most EXPR_CHUNK_ROWS rows), once
// per selected row, and gives a byte per selected row: 1 where it is true (NULL and false leave the row out, as
// PostgreSQL's FILTER does). The rows still form groups; only the aggregate skips them. Knows nothing of SQL.
import type { AggregateSpec, TableSchema } from '../ops.js'
import { compileWhere, type CompiledWhere } from './expr-eval.js'
import { EXPR_CHUNK_ROWS } from './expr-kernels.js'
import type { Selection } from './scan.js'

/** One compiled condition per aggregate, null for an aggregate without FILTER. */
export function compileAggregateFilters(schema: TableSchema, specs: ReadonlyArray<AggregateSpec>): Array<CompiledWhere | null> {
  return specs.map((spec) => (spec.filter === undefined || spec.filter === null ? null : compileWhere(schema, spec.filter)))
}

/** A byte per row of `selection` (rows ascending, as scans select them): 1 where `where` is true. */
export function filterMask(where: CompiledWhere, selection: Selection): Uint8Array {
  const { rows, count, memtable } = selection
  const mask = new Uint8Array(count)
  const window = new Int32Array(EXPR_CHUNK_ROWS)
  for (let i = 0; i < count;) {
    const base = rows[i]!
    let j = i + 1
    while (j < count && j - i < EXPR_CHUNK_ROWS && rows[j]! > rows[j - 1]! && rows[j]! - base < EXPR_CHUNK_ROWS) j++
    window.set(rows.subarray(i, j))
    const kept = where.filter(memtable.columns, window, 0, j - i)
    // The kept rows are an ordered subset of rows i..j-1.
    for (let x = i, k = 0; x < j && k < kept; x++) {
      if (rows[x] === window[k]) { mask[x] = 1; k++ }
    }
    i = j
  }
  return mask
}
