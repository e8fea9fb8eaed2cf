// src/common/column-vector: one column of values as the engine holds and ships it (engine/batch.ts re-exports it).
// Here so that the DataRow encoder in src/common, which the cores run, reads the engine's vectors without src/common
// importing the engine.

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
