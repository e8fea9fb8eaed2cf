// wire/ilp/line-batch: the columnar output of the ILP parser, one LineBatch per measurement, as plain data (typed
// arrays, no classes) that sql.ingest can take. Knows nothing of sockets, SQL types or storage.

/** A tag column: dictionary ids per row (-1 = the row has no such tag) into `dict`, in order of first use. */
export interface LineTagColumn {
  readonly kind: 'tag'
  readonly name: string
  readonly ids: Int32Array
  readonly dict: ReadonlyArray<string>
}
/** In every field column, `nulls[row]` is 1 when that row has no such field (its value slot then holds 0). */
export interface LineFloatColumn {
  readonly kind: 'float'
  readonly name: string
  readonly values: Float64Array
  readonly nulls: Uint8Array
}
export interface LineIntegerColumn {
  readonly kind: 'integer'
  readonly name: string
  readonly values: BigInt64Array
  readonly nulls: Uint8Array
}
export interface LineUnsignedColumn {
  readonly kind: 'unsigned'
  readonly name: string
  readonly values: BigUint64Array
  readonly nulls: Uint8Array
}
/** String fields: null where the row has no such field. */
export interface LineStringColumn {
  readonly kind: 'string'
  readonly name: string
  readonly values: ReadonlyArray<string | null>
}
/** Booleans as 0/1 bytes. */
export interface LineBooleanColumn {
  readonly kind: 'boolean'
  readonly name: string
  readonly values: Uint8Array
  readonly nulls: Uint8Array
}

export type LineColumn =
  | LineTagColumn
  | LineFloatColumn
  | LineIntegerColumn
  | LineUnsignedColumn
  | LineStringColumn
  | LineBooleanColumn

export type LineColumnKind = LineColumn['kind']

/**
 * The rows of one measurement, in input order. Columns appear in order of first use; every array has `rowCount`
 * entries and owns its memory (no views into parser buffers). Timestamps are µs since the epoch (nodedb's unit).
 */
export interface LineBatch {
  readonly measurement: string
  readonly rowCount: number
  readonly timestampsUs: Float64Array
  readonly columns: ReadonlyArray<LineColumn>
}
