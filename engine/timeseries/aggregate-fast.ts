// engine/timeseries/aggregate-fast: a fused kernel for the commonest aggregate scans — no group key or one time
// bucket, with count(*) and count/sum/avg over float or timestamp columns. It walks the typed arrays directly and
// looks a bucket up only when it changes; rows, groups and additions keep aggregate.ts's order, so results are
// identical. Anything else returns null and aggregate.ts does the general work.
import type { AggPartial, AggregateState } from '../batch.js'
import type { GroupKey, ScanOp } from '../ops.js'
import type { Selection } from './scan.js'
import { bucketStartOf } from './group-index.js'

type TimeBucket = Extract<GroupKey, { kind: 'timeBucket' }>

/** One aggregate's inputs: null column for count(*); sums unused for count. */
interface FastAcc {
  readonly fn: 'count' | 'sum' | 'avg'
  readonly column: number | null
  readonly counts: number[]
  readonly sums: number[]
}

function fits(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number): boolean {
  if (op.groupBy.length > 1 || (op.groupBy.length === 1 && op.groupBy[0]!.kind !== 'timeBucket')) return false
  for (const spec of op.aggregates) {
    if (spec.fn !== 'count' && spec.fn !== 'sum' && spec.fn !== 'avg') return false
    if (spec.column === null) { if (spec.fn !== 'count') return false; continue }
    for (const s of selections) {
      const kind = s.memtable.columns[spec.column]?.kind
      if (kind !== 'f64' && kind !== 'timestamp') return false
    }
  }
  return selections.every((s) => s.memtable.columns[tsIndex]?.kind === 'timestamp')
}

/** Adds rows[from..to) of one memtable (all in group g) to one accumulator, in row order. */
function addRun(acc: FastAcc, g: number, selection: Selection, from: number, to: number): void {
  const rows = selection.rows
  if (acc.column === null) { acc.counts[g]! += to - from; return }
  const column = selection.memtable.columns[acc.column]!
  if (column.kind !== 'f64' && column.kind !== 'timestamp') return
  const values = column.values
  const nulls = column.nulls
  let count = acc.counts[g]!
  if (acc.fn === 'count') {
    for (let i = from; i < to; i++) if (nulls[rows[i]!] !== 1) count++
    acc.counts[g] = count
    return
  }
  let sum = acc.sums[g]!
  for (let i = from; i < to; i++) {
    const row = rows[i]!
    if (nulls[row] !== 1) { count++; sum += values[row]! }
  }
  acc.counts[g] = count
  acc.sums[g] = sum
}

/** The fused aggregate, or null when the op is not of the shape this kernel handles. */
export function tryFastAggregate(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number): AggPartial | null {
  if (!fits(op, selections, tsIndex)) return null
  const accs: FastAcc[] = op.aggregates.map((spec) =>
    ({ fn: spec.fn as FastAcc['fn'], column: spec.column, counts: [], sums: [] }))
  const bucket = op.groupBy[0] as TimeBucket | undefined
  const groupOf = new Map<number, number>()
  const bucketStarts: number[] = []
  const addGroup = (start: number): number => {
    const g = bucketStarts.length
    bucketStarts.push(start)
    groupOf.set(start, g)
    for (const acc of accs) { acc.counts.push(0); acc.sums.push(0) }
    return g
  }
  for (const selection of selections) {
    const { rows, count } = selection
    const ts = selection.memtable.columns[tsIndex]!
    if (ts.kind !== 'timestamp') return null
    let runStart = 0
    let runGroup = -1
    let runKey = Number.NaN
    for (let i = 0; i <= count; i++) {
      const key = i === count ? Number.NaN : bucket === undefined ? 0 : bucketStartOf(bucket, ts.values[rows[i]!]!)
      if (i < count && key === runKey) continue
      if (runGroup >= 0) for (const acc of accs) addRun(acc, runGroup, selection, runStart, i)
      if (i === count) break
      runStart = i
      runKey = key
      runGroup = groupOf.get(key) ?? addGroup(key)
    }
  }
  if (bucket === undefined && bucketStarts.length === 0) addGroup(0)
  const states: AggregateState[] = accs.map((acc) => acc.fn === 'count'
    ? { kind: 'count', counts: Float64Array.from(acc.counts) }
    : { kind: acc.fn, sums: Float64Array.from(acc.sums), counts: Float64Array.from(acc.counts) })
  const keys = bucket === undefined ? [] : [{ kind: 'timestamp' as const, values: Float64Array.from(bucketStarts) }]
  return { kind: 'AggPartial', groupCount: bucketStarts.length, keys, states }
}
