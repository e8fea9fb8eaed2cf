// engine/timeseries/memtable-sort: orders a memtable's rows by (partition, series, time) and cuts them into one
// sorted column set per time partition, ready for segment-writer.ts. Runs on a core; knows nothing of files or WAL.
import type { ColumnVector } from '../batch.js'
import { gatherVector } from './gather.js'
import type { MemColumn, Memtable } from './memtable.js'
import { partitionStartOf } from './partition.js'
import { compareCodePoints } from '../../src/common/text-order.js'

export interface PartitionRows {
  readonly partitionStartUs: number
  /** Every column of the table, in catalog order, rows sorted by (series, time). */
  readonly columns: ReadonlyArray<ColumnVector>
}

/** Rank of each dictionary entry in string order, so rows compare by rank; NULL (-1) sorts first. */
function ranksOf(column: Extract<MemColumn, { kind: 'symbol' }>): Int32Array {
  const order = column.dict.map((_, id) => id).sort((a, b) => compareCodePoints(column.dict[a]!, column.dict[b]!))
  const ranks = new Int32Array(column.dict.length)
  order.forEach((id, rank) => { ranks[id] = rank })
  return ranks
}

/**
 * Each row's series as one number ordered as its symbol ranks in catalog order (NULL first): a mixed-radix number,
 * digit c the rank + 1 of column c (radix its dictionary size + 1). Null when the radices' product passes 2^53.
 */
function seriesKeysOf(symbols: ReadonlyArray<{ ids: Int32Array; ranks: Int32Array }>, n: number): Float64Array | null {
  let span = 1
  for (const { ranks } of symbols) span *= ranks.length + 1
  if (span > Number.MAX_SAFE_INTEGER) return null
  const keys = new Float64Array(n)
  for (const { ids, ranks } of symbols) {
    const radix = ranks.length + 1
    for (let row = 0; row < n; row++) {
      const id = ids[row]!
      keys[row] = keys[row]! * radix + (id === -1 ? 0 : ranks[id]! + 1)
    }
  }
  return keys
}

/** Row indices sorted by (partition, series = symbol columns in catalog order, time, arrival). */
export function sortedRowOrder(memtable: Memtable, widthUs: number): { order: Int32Array; partitions: Float64Array } {
  const n = memtable.rowCount
  const ts = memtable.columns[memtable.schema.timestampIndex]!
  if (ts.kind !== 'timestamp') throw new Error('designated timestamp column is not a timestamp')
  const partitions = new Float64Array(n)
  for (let row = 0; row < n; row++) partitions[row] = partitionStartOf(ts.values[row]!, widthUs)
  const symbols = memtable.columns.flatMap((column) => column.kind === 'symbol' ? [{ ids: column.ids, ranks: ranksOf(column) }] : [])
  const order = new Int32Array(n)
  for (let row = 0; row < n; row++) order[row] = row
  const keys = seriesKeysOf(symbols, n)
  const compare = keys !== null
    ? (a: number, b: number): number => partitions[a]! - partitions[b]! || keys[a]! - keys[b]! || ts.values[a]! - ts.values[b]! || a - b
    : (a: number, b: number): number => {
      const byPartition = partitions[a]! - partitions[b]!
      if (byPartition !== 0) return byPartition
      for (const { ids, ranks } of symbols) {
        const idA = ids[a]!
        const idB = ids[b]!
        const rankA = idA === -1 ? -1 : ranks[idA]!
        const rankB = idB === -1 ? -1 : ranks[idB]!
        if (rankA !== rankB) return rankA - rankB
      }
      return ts.values[a]! - ts.values[b]! || a - b
    }
  // Rows often arrive in order (one series per vShard, in time): then arrival order is the answer, without a sort.
  let sorted = true
  for (let row = 1; row < n && sorted; row++) sorted = compare(row - 1, row) < 0
  if (!sorted) order.sort(compare)
  return { order, partitions }
}

/** The memtable's rows, sorted, one PartitionRows per partition in ascending partition order. */
export function sortMemtableByPartition(memtable: Memtable, widthUs: number): PartitionRows[] {
  const { order, partitions } = sortedRowOrder(memtable, widthUs)
  const result: PartitionRows[] = []
  let from = 0
  while (from < order.length) {
    const partitionStartUs = partitions[order[from]!]!
    let to = from + 1
    while (to < order.length && partitions[order[to]!] === partitionStartUs) to++
    const rows = order.subarray(from, to)
    const refs = { count: rows.length, tables: new Int32Array(rows.length), rows }
    const columns = memtable.schema.columns.map((column, c) => gatherVector(column.kind, [memtable.columns[c]!], refs))
    result.push({ partitionStartUs, columns })
    from = to
  }
  return result
}
