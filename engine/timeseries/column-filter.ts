// engine/timeseries/column-filter: a pushed ColumnFilter (a column against constants) as a test of one memtable
// column's cells, for scans (scan.ts) and chunk pruning (chunk-prune.ts): ordering as PostgreSQL's (NaN above every
// float), a tag resolved once per dictionary entry, and the commonest filters as a loop of their own over a window of
// candidate rows. Knows nothing of rings or SQL text.
import { assertNever } from '../../src/common/assert.js'
import { EngineFailureError } from '../api.js'
import type { ColumnFilter } from '../ops.js'
import { compareStrings, floatOrder, orderPasses } from './gather.js'
import { isMemNull, isSharedNoNulls, type MemColumn } from './memtable.js'

type RowTest = (row: number) => boolean

export function invalidFilter(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

/** Evaluates a comparison op on an ordering result (cmp < 0: cell < value). 'in'/'notIn' are handled by callers. */
export function holds(op: ColumnFilter['op'], cmp: number): boolean {
  switch (op) {
    case 'eq': case 'in': return cmp === 0
    case 'neq': case 'notIn': return cmp !== 0
    case 'lt': return cmp < 0
    case 'lte': return cmp <= 0
    case 'gt': return cmp > 0
    case 'gte': return cmp >= 0
    case 'isNull': case 'isNotNull': return false
    default: return assertNever(op)
  }
}

/** Whether a non-null cell passes the filter, given a comparator of the cell against one filter value. */
export function passes(filter: ColumnFilter, compareTo: (value: string | number | bigint | boolean) => number): boolean {
  if (filter.op === 'in') return filter.values.some((value) => compareTo(value) === 0)
  if (filter.op === 'notIn') return filter.values.every((value) => compareTo(value) !== 0)
  if (filter.values.length !== 1) throw invalidFilter(`filter ${filter.op} takes one value`)
  return holds(filter.op, compareTo(filter.values[0]!))
}

export function asNumber(value: string | number | bigint | boolean): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  throw invalidFilter(`string ${JSON.stringify(value)} compared with a number column`)
}

export function compareBig(cell: bigint, value: string | number | bigint | boolean): number {
  if (typeof value === 'bigint') return cell < value ? -1 : cell > value ? 1 : 0
  const number = asNumber(value)
  if (Number.isInteger(number)) return compareBig(cell, BigInt(number))
  return Number(cell) - number
}

/** One verdict per dictionary entry of a symbol column (1 = a row with that id passes a value filter). */
function symbolVerdicts(filter: ColumnFilter, column: Extract<MemColumn, { kind: 'symbol' }>): Uint8Array {
  const verdicts = new Uint8Array(column.dict.length)
  for (let id = 0; id < column.dict.length; id++) {
    verdicts[id] = passes(filter, (value) => compareStrings(column.dict[id]!, String(value))) ? 1 : 0
  }
  return verdicts
}

/**
 * A value filter on a tag no dictionary entry of this memtable passes: no row can (NULL ids fail a value filter too),
 * so the memtable is skipped without reading a row — a one-host query over one memtable per vShard reads one.
 */
export function isSymbolFilterEmpty(filter: ColumnFilter, column: MemColumn): boolean {
  if (column.kind !== 'symbol' || filter.op === 'isNull' || filter.op === 'isNotNull') return false
  return symbolVerdicts(filter, column).indexOf(1) === -1
}

/** Builds a per-row test for one filter over one memtable column; symbol values are resolved once here. */
function compileFilter(filter: ColumnFilter, column: MemColumn): RowTest {
  if (filter.op === 'isNull') return (row) => isMemNull(column, row)
  if (filter.op === 'isNotNull') return (row) => !isMemNull(column, row)
  switch (column.kind) {
    case 'symbol': {
      // One verdict per dictionary entry; rows then compare ids only.
      const verdicts = symbolVerdicts(filter, column)
      return (row) => { const id = column.ids[row]!; return id !== -1 && verdicts[id] === 1 }
    }
    case 'text': return (row) => {
      const cell = column.values[row]
      return cell !== null && cell !== undefined && passes(filter, (value) => compareStrings(cell, String(value)))
    }
    case 'i64': return (row) => column.nulls[row] === 0 && passes(filter, (value) => compareBig(column.values[row]!, value))
    case 'timestamp': case 'f64': case 'bool': {
      const values = column.values
      if (filter.op !== 'in' && filter.op !== 'notIn' && filter.values.length === 1) {
        const target = asNumber(filter.values[0]!)
        const [less, equal, greater] = [holds(filter.op, -1), holds(filter.op, 0), holds(filter.op, 1)] // orderPasses
        return (row) => column.nulls[row] === 0 && orderPasses(floatOrder(values[row]!, target), less, equal, greater)
      }
      return (row) => column.nulls[row] === 0 && passes(filter, (value) => floatOrder(values[row]!, asNumber(value)))
    }
    default: return assertNever(column)
  }
}

/** Keeps, in order from `from`, the rows of rows[from, from + count) that pass; returns how many stay. */
export type RowRefine = (rows: Int32Array, from: number, count: number) => number

/**
 * One filter as a pass over a window of candidate rows. The commonest filters (a float or timestamp against one
 * constant, a tag by its dictionary verdicts) get their own loop; the rest run their row test.
 */
export function compileRefine(filter: ColumnFilter, column: MemColumn): RowRefine {
  const isOneValue = filter.op !== 'in' && filter.op !== 'notIn' && filter.op !== 'isNull' && filter.op !== 'isNotNull' && filter.values.length === 1
  if (isOneValue && (column.kind === 'f64' || column.kind === 'timestamp')) {
    const { values, nulls } = column
    const target = asNumber(filter.values[0]!)
    const above = target === target && isSharedNoNulls(nulls) ? aboveRefine(filter.op, values, target) : null
    if (above !== null) return above
    const [less, equal, greater] = [holds(filter.op, -1), holds(filter.op, 0), holds(filter.op, 1)] // orderPasses
    return (rows, from, count) => {
      let kept = from
      for (let i = from; i < from + count; i++) {
        const row = rows[i]!
        if (nulls[row] === 0 && orderPasses(floatOrder(values[row]!, target), less, equal, greater)) rows[kept++] = row
      }
      return kept - from
    }
  }
  const test = compileFilter(filter, column)
  return (rows, from, count) => {
    let kept = from
    for (let i = from; i < from + count; i++) if (test(rows[i]!)) rows[kept++] = rows[i]!
    return kept - from
  }
}

/**
 * `> target` or `>= target` over a float column without NULLs (TSBS high-cpu's usage_user > 90): the comparison
 * itself, with NaN passing as floatOrder orders it above every number (target is not NaN); null for other ops.
 */
function aboveRefine(op: ColumnFilter['op'], values: Float64Array, target: number): RowRefine | null {
  if (op !== 'gt' && op !== 'gte') return null
  const isStrict = op === 'gt'
  return (rows, from, count) => {
    let kept = from
    for (let i = from; i < from + count; i++) {
      const row = rows[i]!
      const value = values[row]!
      if (value > target || (!isStrict && value === target) || value !== value) rows[kept++] = row
    }
    return kept - from
  }
}
