// sql/physical/merge: combines the partials every core returned into rows of slots. Raw partials are concatenated;
// AggPartials are merged group by group (the same group may come from several cores) and their states finalised.
import { divideIntegersAsNumeric } from '../expr/numeric-divide.js'
import type { AggPartial, AggregateState, RowsPartial, ScanPartial } from '../../engine/batch.js'
import { assert, assertNever } from '../../src/common/assert.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import { compareValues } from '../expr/compare-values.js'
import { vectorValue } from './vector-value.js'

type Row = SqlValue[]

export function mergeRows(partials: ReadonlyArray<ScanPartial>, types: ReadonlyArray<SqlType>): Row[] {
  const rows: Row[] = []
  for (const partial of partials) {
    assert(partial.kind === 'RowsPartial', `raw scan returned ${partial.kind}`)
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

/** Accumulator of one aggregate of one merged group. */
interface Accumulator {
  count: number
  sum: number
  value: SqlValue
  timestampUs: number
}

export interface Group {
  readonly keys: Row
  readonly accumulators: Accumulator[]
}

export interface AggregateOutput {
  readonly fn: AggregateState['kind']
  /** The SQL type of the aggregate's result (count int8, min the column's type, …). */
  readonly type: SqlType
}

/**
 * The merged groups, found by their key values through one Map per key column (nested), in order of first
 * appearance. Map keys compare as SameValueZero, which groups exactly as the key text did: values of one column are
 * of one JavaScript type, NULL is its own key, -0 meets 0 and NaN meets NaN — and no key string is built per group.
 */
export class GroupTable {
  private readonly root = new Map<SqlValue, unknown>()
  readonly groups: Group[] = []

  /** The group of `keys`, created (with `accumulatorCount` fresh accumulators) when new. */
  groupOf(keys: Row, accumulatorCount: number): Group {
    let level = this.root
    for (let k = 0; k < keys.length - 1; k++) {
      let next = level.get(keys[k]!) as Map<SqlValue, unknown> | undefined
      if (next === undefined) level.set(keys[k]!, next = new Map())
      level = next
    }
    const last: SqlValue = keys.length === 0 ? null : keys[keys.length - 1]!
    let group = level.get(last) as Group | undefined
    if (group === undefined) {
      group = { keys, accumulators: Array.from({ length: accumulatorCount }, newAccumulator) }
      level.set(last, group)
      this.groups.push(group)
    }
    return group
  }
}

function newAccumulator(): Accumulator {
  return { count: 0, sum: 0, value: null, timestampUs: Number.NaN }
}

function combine(acc: Accumulator, state: AggregateState, group: number, type: SqlType): void {
  switch (state.kind) {
    case 'count': acc.count += state.counts[group] ?? 0; return
    case 'sum': case 'avg': acc.sum += state.sums[group] ?? 0; acc.count += state.counts[group] ?? 0; return
    case 'min': case 'max': {
      const value = vectorValue(state.values, group, type)
      if (value === null) return
      const isBetter = acc.value === null || (state.kind === 'min' ? compareValues(value, acc.value) < 0 : compareValues(value, acc.value) > 0)
      if (isBetter) acc.value = value
      return
    }
    case 'first': case 'last': {
      const ts = state.timestampsUs[group]
      if (ts === undefined || Number.isNaN(ts)) return
      const isBetter = Number.isNaN(acc.timestampUs) || (state.kind === 'first' ? ts < acc.timestampUs : ts > acc.timestampUs)
      if (isBetter) { acc.value = vectorValue(state.values, group, type); acc.timestampUs = ts }
      return
    }
    default: assertNever(state)
  }
}

/** A double as numeric text: integers without exponent, others as the shortest round-trip form. */
function numericText(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value)
}

function finish(acc: Accumulator, output: AggregateOutput): SqlValue {
  switch (output.fn) {
    case 'count': return BigInt(acc.count)
    case 'sum':
      if (acc.count === 0) return null
      if (output.type.name === 'int8') return BigInt(Math.round(acc.sum))
      return output.type.name === 'numeric' ? numericText(acc.sum) : acc.sum
    case 'avg':
      if (acc.count === 0) return null
      if (output.type.name !== 'numeric') return acc.sum / acc.count
      // Integer inputs sum exactly in a double below 2^53; the division then follows PostgreSQL's numeric rules.
      return Number.isInteger(acc.sum) ? divideIntegersAsNumeric(BigInt(acc.sum), BigInt(acc.count)) : numericText(acc.sum / acc.count)
    case 'min': case 'max': case 'first': case 'last': return acc.value
    default: return assertNever(output.fn)
  }
}

/**
 * Merges AggPartials into rows [keys…, aggregates…]. With no group keys an aggregate over no rows still yields one
 * row (count 0, others NULL), as in SQL.
 */
export function mergeAggregates(partials: ReadonlyArray<ScanPartial>, keyTypes: ReadonlyArray<SqlType>,
  outputs: ReadonlyArray<AggregateOutput>): Row[] {
  const groups = new GroupTable()
  for (const partial of partials) {
    assert(partial.kind === 'AggPartial', `aggregate scan returned ${partial.kind}`)
    mergePartial(partial, keyTypes, outputs, groups)
  }
  return finishGroups(groups, keyTypes, outputs)
}

/** The merged groups as rows [keys…, aggregates…] (one row of empty aggregates when nothing was grouped by). */
export function finishGroups(groups: GroupTable, keyTypes: ReadonlyArray<SqlType>, outputs: ReadonlyArray<AggregateOutput>): Row[] {
  if (groups.groups.length === 0 && keyTypes.length === 0) groups.groupOf([], outputs.length)
  return groups.groups.map((group) => {
    const row: Row = [...group.keys]
    for (let a = 0; a < outputs.length; a++) row.push(finish(group.accumulators[a]!, outputs[a]!))
    return row
  })
}

const UNKNOWN_TYPE: SqlType = { name: 'unknown', typmod: -1 }

/** Merges groups [from, to) of one core's AggPartial (all of them by default) into `groups`. */
export function mergePartial(partial: AggPartial, keyTypes: ReadonlyArray<SqlType>, outputs: ReadonlyArray<AggregateOutput>,
  groups: GroupTable, from = 0, to = partial.groupCount): void {
  assert(partial.keys.length === keyTypes.length && partial.states.length === outputs.length, 'AggPartial shape matches ScanOp')
  const { keys: keyVectors, states } = partial
  for (let index = from; index < to; index += 1) {
    const keys: Row = new Array<SqlValue>(keyVectors.length)
    for (let k = 0; k < keyVectors.length; k++) keys[k] = vectorValue(keyVectors[k]!, index, keyTypes[k] ?? UNKNOWN_TYPE)
    const group = groups.groupOf(keys, outputs.length)
    for (let a = 0; a < states.length; a++) combine(group.accumulators[a]!, states[a]!, index, outputs[a]!.type)
  }
}
