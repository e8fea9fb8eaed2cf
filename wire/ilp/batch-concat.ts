// wire/ilp/batch-concat: slices and joins LineBatches for the HTTP coalescers. sliceBatch cuts a payload's rows out of
// a batch parsed from several payloads side by side (renumbering their lines); concatBatches joins batches of one
// measurement, parsed from different payloads, into one batch: rows side by side in input order, columns in order of first use, a column a batch lacks
// read as absent (tag id -1, null), tag dictionaries merged, each batch's line numbers shifted by its payload's offset
// so lines stay distinct. Batches that use one column name with two kinds cannot be joined (`canJoin` says so first).
// No sockets, SQL or storage.
import { assert } from '../../src/common/assert.js'
import type { LineBatch, LineColumn, LineColumnKind } from './line-batch.js'

/** A batch and what to add to its line numbers. */
export interface OffsetBatch {
  readonly batch: LineBatch
  readonly lineOffset: number
}

/** The kind of each column name seen so far in one measurement's batches. */
export type ColumnKinds = Map<string, LineColumnKind>

/** True when `batch` uses no column name with another kind than `kinds` records. */
export function canJoin(kinds: ColumnKinds, batch: LineBatch): boolean {
  return batch.columns.every((column) => {
    const kind = kinds.get(column.name)
    return kind === undefined || kind === column.kind
  })
}

/** Records `batch`'s column kinds in `kinds` (after canJoin said yes). */
export function addKinds(kinds: ColumnKinds, batch: LineBatch): void {
  for (const column of batch.columns) kinds.set(column.name, column.kind)
}

type Part = { readonly column: LineColumn; readonly start: number; readonly rowCount: number }

function tagColumn(name: string, total: number, parts: ReadonlyArray<Part>): LineColumn {
  const ids = new Int32Array(total).fill(-1)
  const dict: string[] = []
  const idOf = new Map<string, number>()
  for (const { column, start, rowCount } of parts) {
    if (column.kind !== 'tag') continue
    const remap = column.dict.map((value) => {
      let id = idOf.get(value)
      if (id === undefined) {
        id = dict.push(value) - 1
        idOf.set(value, id)
      }
      return id
    })
    for (let row = 0; row < rowCount; row++) {
      const id = column.ids[row]!
      if (id >= 0) ids[start + row] = remap[id]!
    }
  }
  return { kind: 'tag', name, ids, dict }
}

function stringColumn(name: string, total: number, parts: ReadonlyArray<Part>): LineColumn {
  const values = new Array<string | null>(total).fill(null)
  for (const { column, start, rowCount } of parts) {
    if (column.kind !== 'string') continue
    for (let row = 0; row < rowCount; row++) values[start + row] = column.values[row] ?? null
  }
  return { kind: 'string', name, values }
}

/** The null bytes of a field column: 1 (absent) where no part has the column. */
function fieldNulls(total: number, parts: ReadonlyArray<Part>): Uint8Array {
  const nulls = new Uint8Array(total).fill(1)
  for (const { column, start } of parts) if ('nulls' in column) nulls.set(column.nulls, start)
  return nulls
}

/** Field columns with typed values and a null byte per row: rows a batch lacks stay null (value 0). */
function fieldColumn(name: string, kind: 'float' | 'integer' | 'unsigned' | 'boolean', total: number, parts: ReadonlyArray<Part>): LineColumn {
  const nulls = fieldNulls(total, parts)
  switch (kind) {
    case 'float': {
      const values = new Float64Array(total)
      for (const { column, start } of parts) if (column.kind === 'float') values.set(column.values, start)
      return { kind, name, values, nulls }
    }
    case 'integer': {
      const values = new BigInt64Array(total)
      for (const { column, start } of parts) if (column.kind === 'integer') values.set(column.values, start)
      return { kind, name, values, nulls }
    }
    case 'unsigned': {
      const values = new BigUint64Array(total)
      for (const { column, start } of parts) if (column.kind === 'unsigned') values.set(column.values, start)
      return { kind, name, values, nulls }
    }
    case 'boolean': {
      const values = new Uint8Array(total)
      for (const { column, start } of parts) if (column.kind === 'boolean') values.set(column.values, start)
      return { kind, name, values, nulls }
    }
  }
}

/** One batch holding every row of `parts` (all of one measurement, joinable), in order. */
export function concatBatches(parts: ReadonlyArray<OffsetBatch>): LineBatch {
  assert(parts.length > 0, 'concatBatches of no batches')
  const measurement = parts[0]!.batch.measurement
  const total = parts.reduce((sum, part) => sum + part.batch.rowCount, 0)
  const timestampsUs = new Float64Array(total)
  const lineNumbers = new Uint32Array(total)
  const byName = new Map<string, { kind: LineColumnKind; parts: Part[] }>()
  let start = 0
  for (const { batch, lineOffset } of parts) {
    assert(batch.measurement === measurement, 'concatBatches across measurements')
    timestampsUs.set(batch.timestampsUs.subarray(0, batch.rowCount), start)
    for (let row = 0; row < batch.rowCount; row++) lineNumbers[start + row] = batch.lineNumbers[row]! + lineOffset
    for (const column of batch.columns) {
      let entry = byName.get(column.name)
      if (entry === undefined) byName.set(column.name, entry = { kind: column.kind, parts: [] })
      assert(entry.kind === column.kind, `concatBatches: column "${column.name}" has two kinds`)
      entry.parts.push({ column, start, rowCount: batch.rowCount })
    }
    start += batch.rowCount
  }
  const columns = [...byName].map(([name, { kind, parts: columnParts }]) => {
    if (kind === 'tag') return tagColumn(name, total, columnParts)
    if (kind === 'string') return stringColumn(name, total, columnParts)
    return fieldColumn(name, kind, total, columnParts)
  })
  return { measurement, rowCount: total, timestampsUs, lineNumbers, columns }
}

/** Copies of the columns' rows [from, to). */
function sliceColumn(column: LineColumn, from: number, to: number): LineColumn {
  switch (column.kind) {
    case 'tag': return { ...column, ids: column.ids.slice(from, to) }
    case 'string': return { ...column, values: column.values.slice(from, to) }
    case 'float': return { ...column, values: column.values.slice(from, to), nulls: column.nulls.slice(from, to) }
    case 'integer': return { ...column, values: column.values.slice(from, to), nulls: column.nulls.slice(from, to) }
    case 'unsigned': return { ...column, values: column.values.slice(from, to), nulls: column.nulls.slice(from, to) }
    case 'boolean': return { ...column, values: column.values.slice(from, to), nulls: column.nulls.slice(from, to) }
  }
}

/** True when some row of the (sliced) column has a value. */
function isUsed(column: LineColumn): boolean {
  switch (column.kind) {
    case 'tag': return column.ids.some((id) => id >= 0)
    case 'string': return column.values.some((value) => value !== null)
    default: return column.nulls.includes(0)
  }
}

/**
 * The rows of `batch` from lines (lineFrom, lineTo], renumbered from lineFrom (rows are in line order); null when it
 * has none. Columns none of those rows uses are left out, as parsing those lines alone would.
 */
export function sliceBatch(batch: LineBatch, lineFrom: number, lineTo: number): LineBatch | null {
  let from = 0
  while (from < batch.rowCount && batch.lineNumbers[from]! <= lineFrom) from++
  let to = from
  while (to < batch.rowCount && batch.lineNumbers[to]! <= lineTo) to++
  if (to === from) return null
  const lineNumbers = batch.lineNumbers.slice(from, to)
  for (let row = 0; row < lineNumbers.length; row++) lineNumbers[row]! -= lineFrom
  return {
    measurement: batch.measurement, rowCount: to - from, timestampsUs: batch.timestampsUs.slice(from, to), lineNumbers,
    columns: batch.columns.map((column) => sliceColumn(column, from, to)).filter(isUsed),
  }
}
