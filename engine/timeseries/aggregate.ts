// engine/timeseries/aggregate: groups selected rows by the ScanOp's group keys and computes mergeable aggregate
// states (engine/batch.ts AggregateState) per group; an aggregate's FILTER skips the rows it is not true for
// (aggregate-filter.ts). Knows nothing of rings or SQL; sql merges states across cores.
import { assertNever } from '../../src/common/assert.js'
import { EngineFailureError } from '../api.js'
import type { AggPartial, AggregateState, ColumnVector } from '../batch.js'
import type { AggregateSpec, GroupKey, ScanOp, TableSchema } from '../ops.js'
import { compareCells, gatherVector, numberAt } from './gather.js'
import { isMemNull, type MemColumn } from './memtable.js'
import type { Selection } from './scan.js'
import { bucketStartOf, GroupIndex } from './group-index.js'
import { tryFastAggregate } from './aggregate-fast.js'
import { compileAggregateFilters, filterMask } from './aggregate-filter.js'
import { foldSources, LaneSums } from './lane-sums.js'

/** Per-group accumulators of one aggregate, in growable plain arrays (one slot per group, not per row; addGroup). */
export interface Accumulator {
  readonly spec: AggregateSpec
  readonly counts: number[]
  readonly sums: number[]
  /** sum/avg: the current source's lanes per group (lane-sums.ts), folded into `sums` as each source ends. */
  readonly lanes: LaneSums | null
  /** Chosen cell per group for min/max/first/last: memtable index (-1 = none) and row. */
  readonly tables: number[]
  readonly rows: number[]
  readonly timestamps: number[]
}

function newAccumulator(spec: AggregateSpec): Accumulator {
  const lanes = spec.fn === 'sum' || spec.fn === 'avg' ? new LaneSums() : null
  return { spec, counts: [], sums: emptyDoubles(), lanes, tables: [], rows: [], timestamps: [] }
}

/** One value of group g's sum from `row` of the current source, into its lane (lane-sums.ts). */
function addToLane(acc: Accumulator, g: number, row: number, value: number): void {
  const sums = acc.lanes!
  const base = sums.open(g)
  sums.lanes[base + (row & 3)]! += value
}

/**
 * An empty array whose elements are doubles from the start: sums begin as 0 (a small integer), and the first
 * fractional sum stored would otherwise convert the whole array (a copy of every group's slot) in each query.
 */
function emptyDoubles(): number[] {
  const values = [0.5]
  values.pop()
  return values
}

/** Each group's first row (memtable -1 = none), in group order: its key values, time buckets included, are that row's. */
export interface GroupRefs {
  readonly keyTables: number[]
  readonly keyRows: number[]
}

/**
 * One more group slot in the arrays `acc`'s function reads (count: counts; sum/avg: counts, sums; min/max: counts,
 * tables, rows; first/last: timestamps, tables, rows); the others stay empty. These arrays grow with the groups of a
 * query and live until its partial is built, so each one less is garbage the cores' scavenges no longer copy.
 */
function addGroup(acc: Accumulator): void {
  const fn = acc.spec.fn
  const isChoice = fn === 'first' || fn === 'last'
  if (!isChoice) acc.counts.push(0)
  if (fn === 'sum' || fn === 'avg') acc.sums.push(0)
  else if (fn !== 'count') {
    acc.tables.push(-1)
    acc.rows.push(0)
  }
  if (isChoice) acc.timestamps.push(fn === 'last' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)
}

function checkSpecs(schema: TableSchema, op: ScanOp): void {
  for (const spec of op.aggregates) {
    if (spec.column === null) {
      if (spec.fn !== 'count') throw failure(`${spec.fn}(*) is not an aggregate`)
      continue
    }
    const kind = schema.columns[spec.column]!.kind
    if ((spec.fn === 'sum' || spec.fn === 'avg') && (kind === 'symbol' || kind === 'text')) {
      throw failure(`${spec.fn} of a ${kind} column`)
    }
  }
  for (const key of op.groupBy) {
    if (key.kind === 'timeBucket' && (key.column !== schema.timestampIndex || !(key.widthUs > 0))) {
      throw failure('time bucket must be over the designated timestamp with a positive width')
    }
  }
}

function failure(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

/** One row's update of one accumulator for group g (row is in memtable m). */
function update(acc: Accumulator, g: number, all: ReadonlyArray<ReadonlyArray<MemColumn>>, m: number, row: number,
  ts: number): void {
  const spec = acc.spec
  if (spec.column === null) { acc.counts[g]! += 1; return }
  const column = all[m]![spec.column]!
  // The hot case first: sum/avg over a float or timestamp column reads the typed array directly.
  if ((spec.fn === 'sum' || spec.fn === 'avg') && (column.kind === 'f64' || column.kind === 'timestamp')) {
    if (column.nulls[row] !== 1) { acc.counts[g]! += 1; addToLane(acc, g, row, column.values[row]!) }
    return
  }
  const isNull = isMemNull(column, row)
  switch (spec.fn) {
    case 'count': if (!isNull) acc.counts[g]! += 1; return
    case 'sum': case 'avg':
      if (!isNull) { acc.counts[g]! += 1; addToLane(acc, g, row, numberAt(column, row)) }
      return
    case 'min': case 'max': {
      if (isNull) return
      acc.counts[g]! += 1
      const best = acc.tables[g]!
      const cmp = best === -1 ? 0 : compareCells(column, row, all[best]![spec.column]!, acc.rows[g]!)
      if (best === -1 || (spec.fn === 'min' ? cmp < 0 : cmp > 0)) { acc.tables[g] = m; acc.rows[g] = row }
      return
    }
    // first/last take the value at the extreme timestamp, NULL or not; ties keep the row seen first.
    case 'first': case 'last':
      if (spec.fn === 'first' ? ts < acc.timestamps[g]! : ts > acc.timestamps[g]!) {
        acc.timestamps[g] = ts; acc.tables[g] = m; acc.rows[g] = row
      }
      return
    default: assertNever(spec.fn)
  }
}

function finishState(acc: Accumulator, kind: (column: number) => MemColumn['kind'], refsOf: (a: Accumulator) => {
  count: number; tables: Int32Array; rows: Int32Array
}, columnsOf: (column: number) => MemColumn[]): AggregateState {
  const fn = acc.spec.fn
  switch (fn) {
    case 'count': return { kind: fn, counts: Float64Array.from(acc.counts) }
    case 'sum': case 'avg': return { kind: fn, sums: Float64Array.from(acc.sums), counts: Float64Array.from(acc.counts) }
    case 'min': case 'max': case 'first': case 'last': {
      const column = acc.spec.column!
      const values: ColumnVector = gatherVector(kind(column), columnsOf(column), refsOf(acc))
      if (fn === 'min' || fn === 'max') return { kind: fn, values }
      return { kind: fn, values, timestampsUs: Float64Array.from(acc.timestamps) }
    }
    default: return assertNever(fn)
  }
}

/**
 * Groups every selected row and aggregates it. Without group keys there is exactly one group (even with no rows),
 * so count(*) over nothing is 0. Rows find their group through GroupIndex (a strategy picked per ScanOp).
 */
export function aggregateRows(schema: TableSchema, op: ScanOp, selections: ReadonlyArray<Selection>): AggPartial {
  checkSpecs(schema, op)
  const all = selections.map((s) => s.memtable.columns)
  const fastAccs = op.aggregates.map(newAccumulator)
  const fast = tryFastAggregate(op, selections, schema.timestampIndex, fastAccs, addGroup)
  if (fast !== null) return finishPartial(schema, op, fastAccs, all, withOneGroup(op, fastAccs, fast))
  const accs = op.aggregates.map(newAccumulator)
  const tagColumns = new Set(schema.columns.flatMap((column, index) => (column.kind === 'symbol' ? [index] : [])))
  const groups = new GroupIndex(op.groupBy, tagColumns)
  const keyTables: number[] = []
  const keyRows: number[] = []
  const tsIndex = schema.timestampIndex
  for (let m = 0; m < selections.length; m++) {
    const { memtable, rows, count } = selections[m]!
    const columns = memtable.columns
    const ts = columns[tsIndex]!
    // Compiled per memtable, as scan.ts compiles WHERE: a text comparison resolves its constant in one dictionary.
    const masks = compileAggregateFilters(schema, op.aggregates).map((where) => (where === null ? null : filterMask(where, selections[m]!)))
    groups.beginMemtable(columns)
    for (let i = 0; i < count; i++) {
      const row = rows[i]!
      const t = ts.kind === 'timestamp' ? ts.values[row]! : Number.NaN
      let g = groups.lookup(columns, row, t)
      if (g < 0) {
        g = keyTables.length
        groups.insert(g)
        keyTables.push(m); keyRows.push(row)
        for (const acc of accs) addGroup(acc)
      }
      for (let a = 0; a < accs.length; a++) if (masks[a] === null || masks[a]![i] === 1) update(accs[a]!, g, all, m, row, t)
    }
    foldSources(accs)
  }
  return finishPartial(schema, op, accs, all, withOneGroup(op, accs, { keyTables, keyRows }))
}

/** Each group's start in `bucket`, from the group's first row's timestamp. */
function bucketStartsOfRows(bucket: Extract<GroupKey, { kind: 'timeBucket' }>, all: ReadonlyArray<ReadonlyArray<MemColumn>>,
  tsIndex: number, refs: { readonly count: number; readonly tables: Int32Array; readonly rows: Int32Array }): Float64Array {
  const starts = new Float64Array(refs.count)
  for (let g = 0; g < refs.count; g++) {
    const ts = all[refs.tables[g]!]![tsIndex]!
    starts[g] = ts.kind === 'timestamp' ? bucketStartOf(bucket, ts.values[refs.rows[g]!]!) : 0
  }
  return starts
}

/** Without group keys there is exactly one group, even over no rows (count(*) over nothing is 0). */
function withOneGroup(op: ScanOp, accs: ReadonlyArray<Accumulator>, refs: GroupRefs): GroupRefs {
  if (op.groupBy.length === 0 && refs.keyTables.length === 0) {
    refs.keyTables.push(-1); refs.keyRows.push(0)
    for (const acc of accs) addGroup(acc)
  }
  return refs
}

function finishPartial(schema: TableSchema, op: ScanOp, accs: ReadonlyArray<Accumulator>,
  all: ReadonlyArray<ReadonlyArray<MemColumn>>, groups: GroupRefs): AggPartial {
  const groupCount = groups.keyTables.length
  const columnsOf = (column: number) => all.map((columns) => columns[column]!)
  const kind = (column: number) => schema.columns[column]!.kind
  const keyRefs = { count: groupCount, tables: Int32Array.from(groups.keyTables), rows: Int32Array.from(groups.keyRows) }
  // Every key from the group's first row, time buckets too: each bucket key (GROUP BY date_trunc('hour', t),
  // date_trunc('day', t)) its own start. (A start kept per group for one bucket was once output for every bucket key.)
  const keys: ColumnVector[] = op.groupBy.map((key) => key.kind !== 'timeBucket'
    ? gatherVector(kind(key.column), columnsOf(key.column), keyRefs)
    : { kind: 'timestamp', values: bucketStartsOfRows(key, all, schema.timestampIndex, keyRefs) })
  const refsOf = (acc: Accumulator) => ({ count: groupCount, tables: Int32Array.from(acc.tables), rows: Int32Array.from(acc.rows) })
  const states = accs.map((acc) => finishState(acc, kind, refsOf, columnsOf))
  return { kind: 'AggPartial', groupCount, keys, states }
}
