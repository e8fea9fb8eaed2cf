// engine/timeseries/memtable-sort: orders a memtable's rows by (partition, series, time) and cuts them into one
// sorted column set per time partition, ready for segment-writer.ts. Runs on a core; knows nothing of files or WAL.
import type { ColumnVector } from '../batch.js'
import { gatherVector } from './gather.js'
import type { MemColumn, Memtable } from './memtable.js'
import { partitionStartOf } from './partition.js'

export interface PartitionRows {
  readonly partitionStartUs: number
  /** Every column of the table, in catalog order, rows sorted by (series, time). */
  readonly columns: ReadonlyArray<ColumnVector>
}

/** Rank of each dictionary entry in string order, so rows compare by rank; NULL (-1) sorts first. */
function ranksOf(column: Extract<MemColumn, { kind: 'symbol' }>): Int32Array {
  const order = column.dict.map((_, id) => id).sort((a, b) => {
    const x = column.dict[a]!
    const y = column.dict[b]!
    return x < y ? -1 : x > y ? 1 : 0
  })
  const ranks = new Int32Array(column.dict.length)
  order.forEach((id, rank) => { ranks[id] = rank })
  return ranks
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
  order.sort((a, b) => {
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
  })
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
