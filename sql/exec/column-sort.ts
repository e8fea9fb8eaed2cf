// sql/exec/column-sort: the column side of a columnar ORDER BY (sort-stream.ts): the cores' batches of one column
// joined into one vector, each key turned into a typed column that compares as the key's SQL type orders (value-ops.ts)
// (src/common/column-order.ts has the parts the cores' sort shares: the comparator, concatenation, gathering).
// Typed arrays and one dictionary per tag column: no object per row (invariant 5).
import { assertNever } from '../../src/common/assert.js'
import type { ColumnVector } from '../../engine/batch.js'
import type { SqlType } from '../bind/types.js'
import { concatVectorSteps, type KeyColumn } from '../../src/common/column-order.js'
import { charge, forChunks, pause, sortSliced, type Sliced } from './slice.js'
import { compareTyped } from './value-ops.js'

export { gatherVector, rowComparator, type ColumnSortKey } from '../../src/common/column-order.js'


/** concatVectorSteps (src/common/column-order.ts) on the event loop: a pause between parts once the slice is spent. */
export async function concatVectors(parts: ReadonlyArray<ColumnVector>, rowCount: number, env: Sliced): Promise<ColumnVector> {
  const steps = concatVectorSteps(parts, rowCount)
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
    if (charge(env, step.value)) await pause(env)
  }
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

