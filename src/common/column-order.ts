// src/common/column-order: the typed-column side of a columnar ORDER BY that both sides run — sql's sort on the
// main thread (sql/exec/column-sort.ts) and the sort on the cores (engine/core/sort-scan.ts): batches of one column
// joined into one vector, the row comparator over typed key columns, and rows picked through a permutation.
// Typed arrays and one dictionary per tag column: no object per row (invariant 5).
import { assert, assertNever } from './assert.js'
import type { ColumnVector } from './column-vector.js'

/**
 * One ORDER BY key as a column of numbers that order as the key's values do under its SQL type: floats
 * and timestamps as they are (NaN above every number), integers and bools as they are, strings (a tag's dictionary,
 * a text column's distinct values) as their rank among the distinct values, equal values (bpchar's trailing blanks,
 * 1.0 = 1 in numeric text) one rank. `isNull(row)` says where NULL stands in for a value; null when no row is NULL.
 */
export interface KeyColumn {
  readonly values: Float64Array | BigInt64Array | Uint8Array | Int32Array
  readonly isNull: ((row: number) => boolean) | null
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

type Fixed = Float64Array | BigInt64Array | Uint8Array

/** Kinds of ColumnVector by their `kind`. */
export type VectorOf<K extends ColumnVector['kind']> = Extract<ColumnVector, { kind: K }>

/**
 * The batches' vectors of one column as one vector (every part of one kind: a column's kind is its catalog kind).
 * Tags get one dictionary (a NULL id stays -1). A generator that yields the rows of each part it joined where the work
 * grows with the rows (tags, text), so a caller on the event loop can pause between parts (sql's `concatVectors`).
 */
export function* concatVectorSteps(parts: ReadonlyArray<ColumnVector>, rowCount: number): Generator<number, ColumnVector, void> {
  const first = parts[0]
  assert(first !== undefined, 'a column of a sorted scan has at least one batch')
  for (const part of parts) assert(part.kind === first.kind, `a scan column changed kind between batches: ${first.kind}, ${part.kind}`)
  switch (first.kind) {
    case 'timestamp': case 'f64': return { kind: first.kind, ...concatFixed(parts as Array<VectorOf<'f64'>>, new Float64Array(rowCount)) }
    case 'i64': return { kind: 'i64', ...concatFixed(parts as Array<VectorOf<'i64'>>, new BigInt64Array(rowCount)) }
    case 'bool': return { kind: 'bool', ...concatFixed(parts as Array<VectorOf<'bool'>>, new Uint8Array(rowCount)) }
    case 'symbol': {
      const dict: string[] = []
      const entryOf = new Map<string, number>()
      const ids = new Int32Array(rowCount)
      let at = 0
      for (const part of parts as Array<VectorOf<'symbol'>>) {
        appendSymbols(part, ids, at, dict, entryOf)
        at += part.ids.length
        yield part.ids.length
      }
      assert(at === rowCount, 'the batches hold the rows counted')
      return { kind: 'symbol', ids, dict }
    }
    case 'text': {
      const values: Array<string | null> = []
      for (const part of parts as Array<VectorOf<'text'>>) {
        for (const value of part.values) values.push(value)
        yield part.values.length
      }
      return { kind: 'text', values }
    }
    default: return assertNever(first)
  }
}

/** concatVectorSteps in one go (the cores, the sync applier). */
export function concatVectorsNow(parts: ReadonlyArray<ColumnVector>, rowCount: number): ColumnVector {
  const steps = concatVectorSteps(parts, rowCount)
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

export function concatFixed<A extends Fixed>(parts: ReadonlyArray<{ readonly values: A; readonly nulls?: Uint8Array }>, values: A): { values: A; nulls?: Uint8Array } {
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

/** The ids of one batch's symbol vector re-numbered into a joined dictionary (`entryOf`, `dict`), written at `ids[base…]`. */
export function appendSymbols(part: { readonly ids: Int32Array; readonly dict: ReadonlyArray<string> }, ids: Int32Array, base: number,
  dict: string[], entryOf: Map<string, number>): void {
  // The batch's own ids → the joined dictionary's, looked up once per entry the batch uses.
  const mapped = new Int32Array(part.dict.length).fill(-2)
  for (let row = 0; row < part.ids.length; row++) {
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
