// src/common/column-vector: one column of values as the engine holds and ships it (engine/batch.ts re-exports it).
// Here so that the DataRow encoder in src/common, which the cores run, reads the engine's vectors without src/common
// importing the engine.
import { assertNever } from './assert.js'

/**
 * One column of a batch. `nulls`, when present, has one byte per row: 1 = NULL (the value slot is then ignored).
 * Every vector of one batch has the same row count.
 */
export type ColumnVector =
  | { readonly kind: 'timestamp'; readonly values: Float64Array; readonly nulls?: Uint8Array }
  | { readonly kind: 'f64'; readonly values: Float64Array; readonly nulls?: Uint8Array }
  | { readonly kind: 'i64'; readonly values: BigInt64Array; readonly nulls?: Uint8Array }
  | { readonly kind: 'bool'; readonly values: Uint8Array; readonly nulls?: Uint8Array }
  /** ids index into dict; -1 is NULL. */
  | { readonly kind: 'symbol'; readonly ids: Int32Array; readonly dict: ReadonlyArray<string> }
  | { readonly kind: 'text'; readonly values: ReadonlyArray<string | null> }

/** A vector of no rows of `kind` (an encoder's probe; a write whose rows travel already encoded carries only shapes). */
export function emptyVector(kind: ColumnVector['kind']): ColumnVector {
  switch (kind) {
    case 'timestamp': case 'f64': return { kind, values: new Float64Array(0) }
    case 'i64': return { kind, values: new BigInt64Array(0) }
    case 'bool': return { kind, values: new Uint8Array(0) }
    case 'symbol': return { kind, ids: new Int32Array(0), dict: [] }
    case 'text': return { kind, values: [] }
    default: return assertNever(kind)
  }
}
