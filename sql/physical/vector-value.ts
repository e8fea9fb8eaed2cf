// sql/physical/vector-value: reads one value of an engine ColumnVector as the SqlValue of a SQL type (int4 columns
// come back as numbers, int8 as bigint, symbols through their dictionary, timestamps as µs).
import type { ColumnVector } from '../../engine/batch.js'
import { isNullAt } from '../../engine/batch.js'
import { assertNever } from '../../src/common/assert.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'

export function vectorValue(vector: ColumnVector, row: number, type: SqlType): SqlValue {
  if (isNullAt(vector, row)) return null
  switch (vector.kind) {
    case 'symbol': return vector.dict[vector.ids[row] ?? -1] ?? null
    case 'text': return vector.values[row] ?? null
    case 'timestamp': return vector.values[row] ?? null
    case 'f64': return vector.values[row] ?? null
    case 'i64': {
      const value = vector.values[row]
      if (value === undefined) return null
      return type.name === 'int8' ? value : Number(value)
    }
    case 'bool': return vector.values[row] === 1
    default: return assertNever(vector)
  }
}
