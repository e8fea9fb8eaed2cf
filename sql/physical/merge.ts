// sql/physical/merge: combines the partials every core returned into rows of slots. Raw partials are concatenated;
// AggPartials are merged group by group (the same group may come from several cores) and their states finalised.
import { divideIntegersAsNumeric } from '../expr/numeric-divide.js'
import type { AggPartial, AggregateState, ColumnVector, RowsPartial, ScanPartial } from '../../engine/batch.js'
import { assert, assertNever } from '../../src/common/assert.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import { compareValues } from '../expr/compare-values.js'
import { vectorValue } from './vector-value.js'
import { compareCodePoints } from '../../src/common/text-order.js'

type Row = SqlValue[]

export function mergeRows(partials: ReadonlyArray<ScanPartial>, types: ReadonlyArray<SqlType>): Row[] {
  const rows: Row[] = []
  for (const partial of partials) {
    if (partial.kind !== 'RowsPartial') assert(false, `raw scan returned ${partial.kind}`)
    appendRows(partial, types, rows)
  }
  return rows
}

/** Appends rows [from, to) of a raw partial (all of them by default) as rows of SQL values. */
export function appendRows(partial: RowsPartial, types: ReadonlyArray<SqlType>, rows: Row[], from = 0, to = partial.rowCount): void {
  assert(partial.columns.length === types.length, 'RowsPartial has one column per projected column')
  for (let row = from; row < to; row += 1) {
    rows.push(partial.columns.map((vector, index) => vectorValue(vector, row, types[index] ?? { name: 'unknown', typmod: -1 })))
  }
}

export interface AggregateOutput {
  readonly fn: AggregateState['kind']
  /** The SQL type of the aggregate's result (count int8, min the column's type, …). */
  readonly type: SqlType
}

const INITIAL_GROUP_CAPACITY = 64
const UNKNOWN_TYPE: SqlType = { name: 'unknown', typmod: -1 }

/**
 * One aggregate's merged state for every group, column by column (group g at index g): counts and sums for
 * count/sum/avg, the best value (and its time for first/last) for the others. No object per group: a TSBS
 * double-groupby merges 1,200 groups × 10 averages, which as one accumulator object each was 12,000 objects.
 */
class StateColumns {
  counts = new Float64Array(INITIAL_GROUP_CAPACITY)
  sums = new Float64Array(INITIAL_GROUP_CAPACITY)
  timestampsUs = new Float64Array(INITIAL_GROUP_CAPACITY).fill(Number.NaN)
  readonly values: SqlValue[] = []

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity, 0)
    this.sums = grown(this.sums, capacity, 0)
    this.timestampsUs = grown(this.timestampsUs, capacity, Number.NaN)
  }
}

function grown(values: Float64Array<ArrayBuffer>, capacity: number, fill: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity).fill(fill, values.length)
  next.set(values)
  return next
}

/**
 * The merged groups, found by their key values through one Map per key column (nested, the last level holding the
 * group's index), in order of first appearance. Map keys compare as SameValueZero, which groups exactly as the key
 * text did: values of one column are of one JavaScript type, NULL is its own key, -0 meets 0 and NaN meets NaN — and
 * no key string is built per group. Keys and states are kept as columns, group g at index g of each.
 */
export class GroupTable {
  private readonly root = new Map<SqlValue, unknown>()
  private capacity = INITIAL_GROUP_CAPACITY
  private keyColumns: SqlValue[][] = []
  private states: StateColumns[] = []
  groupCount = 0

  /** The index of the group of `keys` (key column k's value at keys[k]), created when new. */
  groupOf(keys: ReadonlyArray<SqlValue>, accumulatorCount: number): number {
    if (this.groupCount === 0 && this.keyColumns.length === 0) this.shape(keys.length, accumulatorCount)
    let level = this.root
    for (let k = 0; k < keys.length - 1; k++) {
      let next = level.get(keys[k]!) as Map<SqlValue, unknown> | undefined
      if (next === undefined) level.set(keys[k]!, next = new Map())
      level = next
    }
    const last: SqlValue = keys.length === 0 ? null : keys[keys.length - 1]!
    const found = level.get(last) as number | undefined
    if (found !== undefined) return found
    const group = this.groupCount++
    if (group === this.capacity) {
      this.capacity *= 2
      for (const state of this.states) state.grow(this.capacity)
    }
    for (let k = 0; k < keys.length; k++) this.keyColumns[k]!.push(keys[k]!)
    for (const state of this.states) state.values.push(null)
    level.set(last, group)
    return group
  }

  /**
   * The groups in ascending key order, NULLs last (ORDER BY's default over the keys), each level of the nested maps
   * sorted on its own: `kinds[k]` says how key k compares ('number': as doubles, NaN last; 'string': by UTF-16 code
   * unit, as the sort compares text). Null when a key has no such order here. Only a hint: the sort above checks it.
   */
  orderedGroups(kinds: ReadonlyArray<KeyOrder | null>): Int32Array | null {
    if (kinds.length === 0 || kinds.length !== this.keyColumns.length || kinds.includes(null)) return null
    const order = new Int32Array(this.groupCount)
    let at = 0
    const walk = (level: Map<SqlValue, unknown>, depth: number): void => {
      for (const key of sortedKeys(level, kinds[depth]!)) {
        if (depth === kinds.length - 1) order[at++] = level.get(key) as number
        else walk(level.get(key) as Map<SqlValue, unknown>, depth + 1)
      }
    }
    walk(this.root, 0)
    return order
  }

  /** Group `group`'s key values followed by each aggregate's finished value. */
  rowOf(group: number, outputs: ReadonlyArray<AggregateOutput>): Row {
    const keyCount = this.keyColumns.length
    const row: Row = new Array<SqlValue>(keyCount + outputs.length)
    for (let k = 0; k < keyCount; k++) row[k] = this.keyColumns[k]![group]!
    for (let a = 0; a < outputs.length; a++) row[keyCount + a] = finish(this.states[a]!, group, outputs[a]!)
    return row
  }

  /** Folds groups [from, to) of `state` (a core's) into this table's groups `slots[0 …]`. */
  combine(aggregate: number, state: AggregateState, slots: Int32Array, from: number, to: number, type: SqlType): void {
    const into = this.states[aggregate]!
    switch (state.kind) {
      case 'count': for (let i = from; i < to; i++) into.counts[slots[i - from]!] += state.counts[i]!; return
      case 'sum': case 'avg':
        for (let i = from; i < to; i++) {
          const group = slots[i - from]!
          into.sums[group] += state.sums[i]!
          into.counts[group] += state.counts[i]!
        }
        return
      case 'min': case 'max':
        for (let i = from; i < to; i++) combineExtreme(into, slots[i - from]!, state.kind, vectorValue(state.values, i, type))
        return
      case 'first': case 'last':
        for (let i = from; i < to; i++) combineEnd(into, slots[i - from]!, state, i, type)
        return
      default: assertNever(state)
    }
  }

  private shape(keyCount: number, accumulatorCount: number): void {
    this.keyColumns = Array.from({ length: keyCount }, () => [])
    this.states = Array.from({ length: accumulatorCount }, () => new StateColumns())
  }
}

export type KeyOrder = 'number' | 'string'

/**
 * One level's keys in ascending order, NULL last, as the sort's comparators order them: a Float64Array's native sort
 * numerically with NaN last, strings in code point order (compareCodePoints; not the native sort's UTF-16 units). A key of another JavaScript
 * type leaves the level in first-appearance order (the sort above then sorts).
 */
function sortedKeys(level: Map<SqlValue, unknown>, kind: KeyOrder): SqlValue[] {
  const keys = [...level.keys()]
  const present = keys.filter((key) => key !== null)
  if (!present.every((key) => typeof key === kind)) return keys
  const sorted: SqlValue[] = kind === 'number' ? Array.from(Float64Array.from(present as number[]).sort()) : (present as string[]).sort(compareCodePoints)
  if (present.length < keys.length) sorted.push(null)
  return sorted
}

function combineExtreme(into: StateColumns, group: number, kind: 'min' | 'max', value: SqlValue): void {
  if (value === null) return
  const best = into.values[group]!
  if (best === null || (kind === 'min' ? compareValues(value, best) < 0 : compareValues(value, best) > 0)) into.values[group] = value
}

function combineEnd(into: StateColumns, group: number, state: Extract<AggregateState, { kind: 'first' | 'last' }>, at: number, type: SqlType): void {
  const ts = state.timestampsUs[at]
  if (ts === undefined || Number.isNaN(ts)) return
  const bestTs = into.timestampsUs[group]!
  if (Number.isNaN(bestTs) || (state.kind === 'first' ? ts < bestTs : ts > bestTs)) {
    into.values[group] = vectorValue(state.values, at, type)
    into.timestampsUs[group] = ts
  }
}

/** A double as numeric text: integers without exponent, others as the shortest round-trip form. */
function numericText(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value)
}

function finish(state: StateColumns, group: number, output: AggregateOutput): SqlValue {
  return finishValue(output, state.counts[group]!, state.sums[group]!, state.values[group] ?? null)
}

/** An aggregate's result from its merged state: `count` and `sum` for count/sum/avg, `value` (the best) for the others. */
function finishValue(output: AggregateOutput, count: number, sum: number, value: SqlValue): SqlValue {
  switch (output.fn) {
    case 'count': return BigInt(count)
    case 'sum':
      if (count === 0) return null
      if (output.type.name === 'int8') return BigInt(Math.round(sum))
      return output.type.name === 'numeric' ? numericText(sum) : sum
    case 'avg':
      if (count === 0) return null
      if (output.type.name !== 'numeric') return sum / count
      // Integer inputs sum exactly in a double below 2^53; the division then follows PostgreSQL's numeric rules.
      return Number.isInteger(sum) ? divideIntegersAsNumeric(BigInt(sum), BigInt(count)) : numericText(sum / count)
    case 'min': case 'max': case 'first': case 'last': return value
    default: return assertNever(output.fn)
  }
}

/** Group `at` of one core's `state` finished as if merged alone (the merge's NULL and NaN-time rules included). */
function finishPartialState(state: AggregateState, at: number, output: AggregateOutput): SqlValue {
  switch (state.kind) {
    case 'count': return finishValue(output, state.counts[at]!, 0, null)
    case 'sum': case 'avg': return finishValue(output, state.counts[at]!, state.sums[at]!, null)
    case 'min': case 'max': return finishValue(output, 0, 0, vectorValue(state.values, at, output.type))
    case 'first': case 'last': {
      const ts = state.timestampsUs[at]
      return finishValue(output, 0, 0, ts === undefined || Number.isNaN(ts) ? null : vectorValue(state.values, at, output.type))
    }
    default: return assertNever(state)
  }
}

/**
 * Whether the groups of a scan's only partial can be its rows as they are (appendGroupRows), nothing merged: a
 * partial's groups are unique (AggPartial's contract), so the merge would only copy them through its group table (a
 * one-host TSBS single-groupby is one core's 720 buckets). Not a global aggregate over no rows (its one empty row is
 * finishGroups'). With `ordered` (a sort above wants key order, as orderedGroups gives it), only when the one key is
 * a number column already ascending, with no NULL and no NaN — as a core's buckets of a time-sorted segment are.
 */
export function passesThrough(partial: AggPartial, ordered: boolean): boolean {
  if (partial.groupCount === 0 && partial.keys.length === 0) return false
  return !ordered || isAscending(partial.keys, partial.groupCount)
}

/** Groups [from, to) of one partial as rows [keys…, aggregates…], at rows[from, to) (see passesThrough). */
export function appendGroupRows(partial: AggPartial, keyTypes: ReadonlyArray<SqlType>, outputs: ReadonlyArray<AggregateOutput>,
  rows: Row[], from: number, to: number): void {
  assert(partial.keys.length === keyTypes.length && partial.states.length === outputs.length, 'AggPartial shape matches ScanOp')
  const { keys, states } = partial
  for (let at = from; at < to; at++) {
    // A null first, so the row holds boxed values (generic elements): a row of numbers would be stored unboxed
    // (double elements) and boxed again at every read by the sort's check and the encoder (~45 KB a 720-row query).
    // One store, not fill(null): that is a call into the runtime per row (~2.5× this row's making, measured).
    const width = keys.length + states.length
    const row: Row = new Array<SqlValue>(width)
    if (width > 0) row[0] = null
    for (let k = 0; k < keys.length; k++) row[k] = vectorValue(keys[k]!, at, keyTypes[k] ?? UNKNOWN_TYPE)
    for (let a = 0; a < states.length; a++) row[keys.length + a] = finishPartialState(states[a]!, at, outputs[a]!)
    rows[at] = row
  }
}

/** One key column of timestamps or floats whose first `count` values ascend strictly, no NULL and no NaN among them. */
function isAscending(keys: ReadonlyArray<ColumnVector>, count: number): boolean {
  const key = keys[0]
  if (keys.length !== 1 || (key?.kind !== 'timestamp' && key?.kind !== 'f64')) return false
  if (key.nulls !== undefined && key.nulls.subarray(0, count).includes(1)) return false
  const values = key.values
  // NaN fails every `<`, so a NaN anywhere but first stops the walk; the first is tested on its own.
  for (let i = 1; i < count; i++) if (!(values[i - 1]! < values[i]!)) return false
  return count === 0 || !Number.isNaN(values[0])
}

/**
 * Merges AggPartials into rows [keys…, aggregates…]. With no group keys an aggregate over no rows still yields one
 * row (count 0, others NULL), as in SQL.
 */
export function mergeAggregates(partials: ReadonlyArray<ScanPartial>, keyTypes: ReadonlyArray<SqlType>,
  outputs: ReadonlyArray<AggregateOutput>): Row[] {
  const groups = new GroupTable()
  for (const partial of partials) {
    if (partial.kind !== 'AggPartial') assert(false, `aggregate scan returned ${partial.kind}`)
    mergePartial(partial, keyTypes, outputs, groups)
  }
  return finishGroups(groups, keyTypes, outputs)
}

/** The merged groups as rows [keys…, aggregates…] (one row of empty aggregates when nothing was grouped by). */
export function finishGroups(groups: GroupTable, keyTypes: ReadonlyArray<SqlType>, outputs: ReadonlyArray<AggregateOutput>,
  order: Int32Array | null = null): Row[] {
  if (groups.groupCount === 0 && keyTypes.length === 0) groups.groupOf([], outputs.length)
  const rows: Row[] = new Array<Row>(groups.groupCount)
  for (let at = 0; at < groups.groupCount; at++) rows[at] = groups.rowOf(order === null ? at : order[at]!, outputs)
  return rows
}

/** Merges groups [from, to) of one core's AggPartial (all of them by default) into `groups`. */
export function mergePartial(partial: AggPartial, keyTypes: ReadonlyArray<SqlType>, outputs: ReadonlyArray<AggregateOutput>,
  groups: GroupTable, from = 0, to = partial.groupCount): void {
  assert(partial.keys.length === keyTypes.length && partial.states.length === outputs.length, 'AggPartial shape matches ScanOp')
  const { keys: keyVectors, states } = partial
  // Each partial group's merged group first, then every aggregate folded in by one loop over them.
  const slots = new Int32Array(Math.max(0, to - from))
  const keys = new Array<SqlValue>(keyVectors.length)
  for (let index = from; index < to; index += 1) {
    for (let k = 0; k < keyVectors.length; k++) keys[k] = vectorValue(keyVectors[k]!, index, keyTypes[k] ?? UNKNOWN_TYPE)
    slots[index - from] = groups.groupOf(keys, outputs.length)
  }
  for (let a = 0; a < states.length; a++) groups.combine(a, states[a]!, slots, from, to, outputs[a]!.type)
}
