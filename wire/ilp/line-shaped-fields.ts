// wire/ilp/line-shaped-fields: the fields of a line spelt like its measurement's last lines — the same keys in the same
// order, each with a plain float (TSBS: ten on every line) — read in one pass with no per-field dispatch, lookup or
// kind test. Anything else is left to the general field loop (line-parser.ts), which reads it from the start again.
// Knows only line protocol syntax; nothing of batches, sockets or SQL.
import type { FieldKeyLayout } from './field-key-layout.js'
import { plainFloatAt, type ValueScan } from './parse-field-value.js'
import type { ParsedLine } from './parsed-line.js'

const COMMA = 44
const SPACE = 32

/**
 * Reads buf[start, …) (`view`: a DataView of all of `buf`, or null) as exactly `layout`'s first shapeFieldCount keys,
 * in order, each with a plain float (plainFloatAt), into `line` as the general loop would (the same keys, values,
 * byte columns and field shape; the keys and kinds on fillFields()); `scan.pos` is then the ' ' before the timestamp,
 * or `end`. False for any other line: what it wrote into `line` is past its fieldCount, so nothing.
 */
export function parseShapedFields(
  buf: Buffer, view: DataView | null, start: number, end: number, lineStart: number, layout: FieldKeyLayout, line: ParsedLine,
  scan: ValueScan,
): boolean {
  const last = layout.shapeFieldCount - 1
  const numbers = line.fieldNumbers
  const columns = line.fieldColumns
  let pos = start
  for (let i = 0; i <= last; i++) {
    const keyEnd = view === null ? layout.keyEndAt(i, buf, pos, end) : layout.keyEndAtView(i, buf, view, pos, end)
    if (keyEnd < 0) return false
    const value = plainFloatAt(buf, keyEnd + 1, end, scan)
    if (value !== value) return false // NaN: not a plain float
    numbers[i] = value
    columns[i] = pos - lineStart + 1
    pos = scan.pos
    // The general loop ends the fields at a ' ' or the end, and goes on past a ','; a line with fewer or more fields
    // than the layout has another shape.
    if (i === last) {
      if (pos < end && buf[pos] !== SPACE) return false
    } else if (pos >= end || buf[pos++] !== COMMA) return false
  }
  line.useFieldShape(layout, last + 1)
  line.fieldShape = layout
  line.fieldShapeVersion = layout.version
  return last >= 0
}
