// sql/exec/column-sort: the column side of a columnar ORDER BY (sort-stream.ts): the cores' batches of one column
// joined into one vector, each key turned into a typed column that compares as the key's SQL type orders (value-ops.ts),
// and rows picked by a permutation. Typed arrays and one dictionary per tag column: no object per row (invariant 5).
import { assert, assertNever } from '../../src/common/assert.js'
import type { ColumnVector } from '../../engine/batch.js'
import type { SqlType } from '../bind/types.js'
import { charge, forChunks, pause, sortSliced, type Sliced } from './slice.js'
import { compareTyped } from './value-ops.js'

/** Kinds of ColumnVector by their `kind`. */
type VectorOf<K extends ColumnVector['kind']> = Extract<ColumnVector, { kind: K }>

/**
 * The batches' vectors of one column as one vector (every part of one kind: a column's kind is its catalog kind).
 * Tags get one dictionary: each batch's ids are mapped to the entry of their string in it.
 */
export async function concatVectors(parts: ReadonlyArray<ColumnVector>, rowCount: number, env: Sliced): Promise<ColumnVector> {
  const first = parts[0]
  assert(first !== undefined, 'a column of a sorted scan has at least one batch')
  for (const part of parts) assert(part.kind === first.kind, `a scan column changed kind between batches: ${first.kind}, ${part.kind}`)
  switch (first.kind) {
    case 'timestamp': case 'f64': return { kind: first.kind, ...concatFixed(parts as Array<VectorOf<'f64'>>, new Float64Array(rowCount)) }
    case 'i64': return { kind: 'i64', ...concatFixed(parts as Array<VectorOf<'i64'>>, new BigInt64Array(rowCount)) }
    case 'bool': return { kind: 'bool', ...concatFixed(parts as Array<VectorOf<'bool'>>, new Uint8Array(rowCount)) }
    case 'symbol': return concatSymbols(parts as Array<VectorOf<'symbol'>>, rowCount, env)
    case 'text': {
      const values: Array<string | null> = []
      for (const part of parts as Array<VectorOf<'text'>>) {
        for (const value of part.values) values.push(value)
        if (charge(env, part.values.length)) await pause(env)
      }
      return { kind: 'text', values }
    }
    default: return assertNever(first)
  }
}

type Fixed = Float64Array | BigInt64Array | Uint8Array

function concatFixed<A extends Fixed>(parts: ReadonlyArray<{ readonly values: A; readonly nulls?: Uint8Array }>, values: A): { values: A; nulls?: Uint8Array } {
  const hasNulls = parts.some((part) => part.nulls !== undefined)
  const nulls = hasNulls ? new Uint8Array(values.length) : undefined
  let at = 0
  for (const part of parts) {
    values.set(part.values as never, at)
    if (part.nulls !== undefined) nulls!.set(part.nulls, at)
    at += part.values.length
  }
  assert(at === values.length, 'the batches hold the rows counted')
  return nulls === undefined ? { values } : { values, nulls }
}

async function concatSymbols(parts: ReadonlyArray<VectorOf<'symbol'>>, rowCount: number, env: Sliced): Promise<VectorOf<'symbol'>> {
  const dict: string[] = []
  const entryOf = new Map<string, number>()
  const ids = new Int32Array(rowCount)
  let at = 0
  for (const part of parts) {
    // The batch's own ids → the joined dictionary's, looked up once per entry the batch uses.
    const mapped = new Int32Array(part.dict.length).fill(-2)
    const base = at
    await forChunks(part.ids.length, env, (from, to) => {
      for (let row = from; row < to; row++) {
        const id = part.ids[row]!
        let entry = id < 0 ? -1 : mapped[id]!
        if (entry === -2) {
          const text = part.dict[id]!
          entry = entryOf.get(text) ?? dict.push(text) - 1
          entryOf.set(text, entry)
          mapped[id] = entry
        }
        ids[base + row] = entry
      }
    })
    at += part.ids.length
  }
  assert(at === rowCount, 'the batches hold the rows counted')
  return { kind: 'symbol', ids, dict }
}

/**
 * One ORDER BY key as a column of numbers that order as the key's values do under `type` (compareTyped): floats
 * and timestamps as they are (NaN above every number), integers and bools as they are, strings (a tag's dictionary,
 * a text column's distinct values) as their rank among the distinct values, equal values (bpchar's trailing blanks,
 * 1.0 = 1 in numeric text) one rank. `isNull(row)` says where NULL stands in for a value; null when no row is NULL.
 */
export interface KeyColumn {
  readonly values: Float64Array | BigInt64Array | Uint8Array | Int32Array
  readonly isNull: ((row: number) => boolean) | null
}

export async function keyColumnOf(vector: ColumnVector, type: SqlType, env: Sliced): Promise<KeyColumn> {
  switch (vector.kind) {
    case 'timestamp': case 'f64': case 'i64': case 'bool': {
      const { nulls } = vector
      return { values: vector.values, isNull: nulls === undefined || !nulls.includes(1) ? null : (row) => nulls[row] === 1 }
    }
    case 'symbol': {
      const { ids } = vector
      const ranks = await ranksOf(vector.dict, type, env)
      const values = new Int32Array(ids.length)
      await forChunks(ids.length, env, (from, to) => {
        for (let row = from; row < to; row++) values[row] = ids[row]! < 0 ? -1 : ranks[ids[row]!]!
      })
      return { values, isNull: values.includes(-1) ? (row) => values[row] === -1 : null }
    }
    case 'text': {
      const texts = vector.values
      const entryOf = new Map<string, number>()
      const distinct: string[] = []
      await forChunks(texts.length, env, (from, to) => {
        for (let row = from; row < to; row++) {
          const value = texts[row] ?? null
          if (value !== null && !entryOf.has(value)) entryOf.set(value, distinct.push(value) - 1)
        }
      })
      const ranks = await ranksOf(distinct, type, env)
      const values = new Int32Array(texts.length)
      await forChunks(texts.length, env, (from, to) => {
        for (let row = from; row < to; row++) {
          const value = texts[row] ?? null
          values[row] = value === null ? -1 : ranks[entryOf.get(value)!]!
        }
      })
      return { values, isNull: values.includes(-1) ? (row) => values[row] === -1 : null }
    }
    default: return assertNever(vector)
  }
}

/** Each string's rank (0, 1, …) in `type`'s order; strings that compare equal share one. */
async function ranksOf(strings: ReadonlyArray<string>, type: SqlType, env: Sliced): Promise<Int32Array> {
  const compare = (a: number, b: number): number => compareTyped(strings[a]!, strings[b]!, type)
  const order = await sortSliced(strings.map((_, index) => index), compare, env)
  const ranks = new Int32Array(strings.length)
  let rank = 0
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && compare(order[i - 1]!, order[i]!) !== 0) rank++
    ranks[order[i]!] = rank
  }
  return ranks
}

/** An ORDER BY key over a KeyColumn: its direction and where NULLs go. */
export interface ColumnSortKey {
  readonly column: KeyColumn
  readonly descending: boolean
  readonly nullsFirst: boolean
}

/**
 * Compares two row indexes by the keys (compareForSort per key: NaN above numbers, NULLS FIRST/LAST independent of
 * the direction), then by the indexes themselves: any sort is then stable, the order run-plan's row sort gives.
 */
export function rowComparator(keys: ReadonlyArray<ColumnSortKey>): (a: number, b: number) => number {
  const parts = keys.map(({ column, descending, nullsFirst }) => {
    const { values, isNull } = column
    const sign = descending ? -1 : 1
    const nullOrder = nullsFirst ? -1 : 1
    if (isNull === null) {
      // No NULL in the column: the values alone (NaN, floats only, above every number).
      return (a: number, b: number): number => {
        const x = values[a]!
        const y = values[b]!
        if (x < y) return -sign
        if (x > y) return sign
        if (x === y) return 0
        const isNanX = Number.isNaN(x)
        return isNanX === Number.isNaN(y) ? 0 : isNanX ? sign : -sign
      }
    }
    return (a: number, b: number): number => {
      const x = values[a]!
      const y = values[b]!
      if (x < y) return isNull(a) || isNull(b) ? nullCompare(isNull(a), isNull(b), nullOrder) : -sign
      if (x > y) return isNull(a) || isNull(b) ? nullCompare(isNull(a), isNull(b), nullOrder) : sign
      if (x === y) return isNull(a) === isNull(b) ? 0 : nullCompare(isNull(a), isNull(b), nullOrder)
      // NaN on one side at least (floats only; a NULL's slot may hold one too).
      if (isNull(a) || isNull(b)) return nullCompare(isNull(a), isNull(b), nullOrder)
      const isNanX = Number.isNaN(x)
      return isNanX === Number.isNaN(y) ? 0 : isNanX ? sign : -sign
    }
  })
  return (a, b) => {
    for (let k = 0; k < parts.length; k++) {
      const order = parts[k]!(a, b)
      if (order !== 0) return order
    }
    return a - b
  }
}

function nullCompare(isNullA: boolean, isNullB: boolean, nullOrder: number): number {
  if (isNullA === isNullB) return 0
  return isNullA ? nullOrder : -nullOrder
}

/** Rows order[from, to) of `vector`, in that order, as a vector of their own. */
export function gatherVector(vector: ColumnVector, order: Int32Array, from: number, to: number): ColumnVector {
  const count = to - from
  switch (vector.kind) {
    case 'timestamp': case 'f64': return { kind: vector.kind, ...gatherFixed(vector, new Float64Array(count), order, from) }
    case 'i64': return { kind: 'i64', ...gatherFixed(vector, new BigInt64Array(count), order, from) }
    case 'bool': return { kind: 'bool', ...gatherFixed(vector, new Uint8Array(count), order, from) }
    case 'symbol': {
      const ids = new Int32Array(count)
      for (let i = 0; i < count; i++) ids[i] = vector.ids[order[from + i]!]!
      return { kind: 'symbol', ids, dict: vector.dict }
    }
    case 'text': {
      const values = new Array<string | null>(count)
      for (let i = 0; i < count; i++) values[i] = vector.values[order[from + i]!] ?? null
      return { kind: 'text', values }
    }
    default: return assertNever(vector)
  }
}

function gatherFixed<A extends Fixed>(vector: { readonly values: A; readonly nulls?: Uint8Array }, values: A, order: Int32Array, from: number): { values: A; nulls?: Uint8Array } {
  const source = vector.values
  for (let i = 0; i < values.length; i++) values[i] = source[order[from + i]!]!
  if (vector.nulls === undefined) return { values }
  const nulls = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) nulls[i] = vector.nulls[order[from + i]!]!
  return { values, nulls }
}
