// engine/timeseries/segment-slice-layout: the flat form of a scan's row groups in a SegmentSlice (bridge/messages.ts).
// The control thread writes the row groups that survive pruning as one Float64Array — per group its row count, then
// the offset and length of each needed column's chunk — so a scan over many segments crosses the ring as one typed
// array per segment (its bytes copied as they are) instead of an object per row group and per chunk that msgpack
// walks key by key on both sides; the core reads it back into RowGroupSlices. Knows nothing of files or SQL.
import type { RowGroupSlice, SegmentSlice } from '../bridge/messages.js'
import type { RowGroupIndex } from './segment-format.js'

/** Numbers one row group takes in a layout of `columnCount` columns. */
function stride(columnCount: number): number {
  return 1 + 2 * columnCount
}

/** The layout of `groups` (footer entries) with the chunks of `columns`, in that order. */
export function layoutOf(groups: ReadonlyArray<RowGroupIndex>, columns: ReadonlyArray<number>): Float64Array {
  const step = stride(columns.length)
  const layout = new Float64Array(groups.length * step)
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!
    let at = g * step
    layout[at++] = group.rowCount
    for (let k = 0; k < columns.length; k++) {
      const chunk = group.chunks[columns[k]!]!
      layout[at++] = chunk.offset
      layout[at++] = chunk.length
    }
  }
  return layout
}

/** A slice of `file` with `groups`; `columns` are the needed ones the segment has. */
export function segmentSlice(file: string, fd: number | null, columnCount: number, columns: ReadonlyArray<number>,
  groups: ReadonlyArray<RowGroupIndex>): SegmentSlice {
  return { file, fd, columnCount, columns, rowGroupCount: groups.length, layout: layoutOf(groups, columns) }
}

/** The row groups of a slice as the core decodes them (decodeRowGroup), in layout order. */
export function rowGroupsOf(slice: SegmentSlice): RowGroupSlice[] {
  const { columns, layout } = slice
  const step = stride(columns.length)
  const groups: RowGroupSlice[] = []
  for (let g = 0; g < slice.rowGroupCount; g++) {
    const at = g * step
    const chunks = columns.map((column, k) => ({ column, offset: layout[at + 1 + 2 * k]!, length: layout[at + 2 + 2 * k]! }))
    groups.push({ rowCount: layout[at]!, chunks })
  }
  return groups
}
