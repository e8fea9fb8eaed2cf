// wire/ilp/line-batch-builder: appends parsed lines of one measurement as rows of a columnar LineBatch, refusing a
// line whose field types conflict with earlier rows. Knows nothing of byte parsing, sockets or SQL.
import { assertNever } from '../../src/common/assert.js'
import type { IlpErrorCode } from './ilp-error.js'
import type { LineBatch, LineColumnKind } from './line-batch.js'
import { LineColumnBuilder } from './line-column-builder.js'
import type { ParsedLine } from './parsed-line.js'
import type { SeriesKey } from './series-key-cache.js'

const TIMESTAMP_CAPACITY_MIN = 64
const NO_IDS = new Int32Array(0)
/** Tells builders apart on the series they wrote (SeriesKey.batchId). */
let nextBuilderId = 0

export class LineBatchBuilder {
  rowCount = 0
  /** Set when append() refuses a line: the code and the 1-based byte column of the offending key. */
  errorCode: IlpErrorCode = 'TypeConflict'
  errorColumn = 0
  private timestampsUs: Float64Array
  private lineNumbers: Uint32Array
  private readonly columns: LineColumnBuilder[] = []
  private readonly columnsByName = new Map<string, LineColumnBuilder>()
  // Per-line scratch: the column each tag and field of the current line resolved to (null = superseded duplicate).
  private readonly tagTargets: LineColumnBuilder[] = []
  private readonly fieldTargets: Array<LineColumnBuilder | null> = []
  // Fields of the current line whose column is new to the batch (last to first), and their names.
  private readonly pendingFieldIndexes: number[] = []
  private pendingCount = 0
  private readonly pendingNames = new Set<string>()
  private readonly id = nextBuilderId++
  // The field shape (ParsedLine.fieldShape) of the last line written, whose columns fieldTargets holds; null after a
  // refused line, which may have rewritten fieldTargets in part.
  private shape: object | null = null
  private shapeVersion = 0
  private shapeFieldCount = 0
  /** The shape's every field has its column (fieldTargets holds no superseded duplicate). */
  private isShapeWhole = false
  // Dense rows: while every column holds exactly rows [0, rowCount) and has room for the next, a same-shape line that
  // writes every column goes straight into the columns' arrays (appendDense), with no per-value row check; the
  // columns' own row counts lag behind until leaveDense. A row that writes every column leaves them all exactly full
  // (pad marks the rows a column skipped), which is when enterDense starts such a run.
  private isDense = false
  private denseRoom = 0
  /** By column index: a tag column's ids (NO_IDS for the others). */
  private readonly denseIds: Int32Array[] = []
  /** By field position of the shape: its column's values. */
  private readonly denseFloats: Float64Array[] = []

  /** `capacityHint`: rows expected (0 = unknown); the arrays start exactly that large (see IlpParseOptions). */
  constructor(readonly measurement: string, private readonly capacityHint = 0) {
    const capacity = Math.max(TIMESTAMP_CAPACITY_MIN, capacityHint)
    this.timestampsUs = new Float64Array(capacity)
    this.lineNumbers = new Uint32Array(capacity)
  }

  /**
   * Appends `line` as the next row. `serial` must differ for every call: it is the stream's 1-based line number,
   * kept per row as the batch's lineNumbers. Returns false,
   * writing nothing, when a tag key repeats, a tag and a field share a name, or a field's type differs from its
   * column's: the types of a column are never cast. Of duplicate fields, the last one wins, as in InfluxDB.
   */
  append(line: ParsedLine, serial: number): boolean {
    const series = line.series
    if (series !== null && series.batchId === this.id && line.fieldShape !== null && line.fieldShape === this.shape &&
      line.fieldShapeVersion === this.shapeVersion && line.fieldCount === this.shapeFieldCount) {
      const isWhole = this.isShapeWhole && series.batchTagIds.length + line.fieldCount === this.columns.length
      if (isWhole && this.isDense && this.rowCount < this.denseRoom) {
        this.appendDense(line, series, serial)
        return true
      }
      this.leaveDense()
      this.appendSameShape(line, series, serial)
      if (isWhole) this.enterDense()
      return true
    }
    this.leaveDense()
    line.fillTags()
    line.fillFields()
    const columnCountBefore = this.columns.length
    this.shape = null // fieldTargets are rewritten below, and only a line written in full leaves a shape
    if (!this.resolveTags(line, serial) || !this.resolveFields(line, serial)) {
      this.dropColumnsFrom(columnCountBefore)
      return false
    }
    const rowIndex = this.rowCount
    this.writeTags(line, rowIndex)
    let written = line.tagCount
    for (let i = 0; i < line.fieldCount; i++) {
      const column = this.fieldTargets[i]
      if (column === null || column === undefined) continue
      written++
      const kind = line.fieldKinds[i]!
      switch (kind) {
        case 'float':
        case 'boolean': column.setNumber(rowIndex, line.fieldNumbers[i]!); break
        case 'integer':
        case 'unsigned': column.setBigint(rowIndex, line.fieldBigints[i]!); break
        case 'string': column.setString(rowIndex, line.fieldStrings[i]!); break
        default: assertNever(kind)
      }
    }
    this.endRow(line, rowIndex, serial)
    this.shape = line.fieldShape
    this.shapeVersion = line.fieldShapeVersion
    this.shapeFieldCount = line.fieldCount
    this.isShapeWhole = written === line.tagCount + line.fieldCount
    if (written === this.columns.length) this.enterDense()
    return true
  }

  /** appendSameShape for a dense run (see isDense): the same stores, straight into the arrays. */
  private appendDense(line: ParsedLine, series: SeriesKey, serial: number): void {
    const rowIndex = this.rowCount
    const ids = this.denseIds
    const tagColumns = series.batchTagColumns
    const tagIds = series.batchTagIds
    for (let i = 0; i < tagIds.length; i++) ids[tagColumns[i]!]![rowIndex] = tagIds[i]!
    const floats = this.denseFloats
    const values = line.fieldNumbers
    for (let i = 0; i < line.fieldCount; i++) floats[i]![rowIndex] = values[i]!
    this.endRow(line, rowIndex, serial)
  }

  /** After a row that wrote every column: they all hold exactly rowCount rows, so a dense run may start. */
  private enterDense(): void {
    const columns = this.columns
    let room = Number.MAX_SAFE_INTEGER
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!
      if (column.room < room) room = column.room
      this.denseIds[c] = column.kind === 'tag' ? column.tagIds : NO_IDS
    }
    // Only a whole float shape takes the dense path; another line's fieldTargets may not be float columns.
    if (this.shape !== null && this.isShapeWhole) {
      for (let i = 0; i < this.shapeFieldCount; i++) this.denseFloats[i] = this.fieldTargets[i]!.floats
    }
    this.denseRoom = room
    this.isDense = true
  }

  /** Ends a dense run: the columns learn the rows written straight into their arrays. */
  private leaveDense(): void {
    if (!this.isDense) return
    this.isDense = false
    const columns = this.columns
    for (let c = 0; c < columns.length; c++) columns[c]!.filledTo(this.rowCount)
  }

  /**
   * A line of a series already written to this batch, naming the same float fields in the same order as the line
   * before it (its field shape): nothing to resolve or check. Its tags' columns are the batch's for those names (the
   * series was accepted here) and its fields' columns are fieldTargets' (the previous line's, accepted), and a batch
   * never holds a tag and a field column of one name, so the checks append makes could not refuse it. Stamps are
   * left as they are: a stamp is only ever compared with the serial of the line being resolved.
   */
  private appendSameShape(line: ParsedLine, series: SeriesKey, serial: number): void {
    const rowIndex = this.rowCount
    const columns = this.columns
    const tagColumns = series.batchTagColumns
    const tagIds = series.batchTagIds
    for (let i = 0; i < tagIds.length; i++) columns[tagColumns[i]!]!.setTagId(rowIndex, tagIds[i]!)
    const targets = this.fieldTargets
    const values = line.fieldNumbers
    for (let i = 0; i < line.fieldCount; i++) {
      const column = targets[i]
      if (column !== null && column !== undefined) column.setFloat(rowIndex, values[i]!)
    }
    this.endRow(line, rowIndex, serial)
  }

  private endRow(line: ParsedLine, rowIndex: number, serial: number): void {
    if (rowIndex === this.timestampsUs.length) {
      const grown = new Float64Array(rowIndex * 2)
      grown.set(this.timestampsUs)
      this.timestampsUs = grown
      const grownLines = new Uint32Array(rowIndex * 2)
      grownLines.set(this.lineNumbers)
      this.lineNumbers = grownLines
    }
    this.timestampsUs[rowIndex] = line.timestampUs
    this.lineNumbers[rowIndex] = serial
    this.rowCount = rowIndex + 1
  }

  /**
   * A line from a cached series writes the dictionary ids its series' values got in this batch, kept on the series
   * (SeriesKey.batchTagIds), instead of looking each value up (TSBS: four of ten tags change from line to line).
   * They stay valid: a column with a row is never dropped, and its ids never change.
   */
  private writeTags(line: ParsedLine, rowIndex: number): void {
    const targets = this.tagTargets
    const series = line.series
    if (series === null) {
      for (let i = 0; i < line.tagCount; i++) targets[i]!.setTag(rowIndex, line.tagValues[i]!)
      return
    }
    if (series.batchId !== this.id) {
      const ids = new Int32Array(line.tagCount)
      const columns = new Int32Array(line.tagCount)
      for (let i = 0; i < line.tagCount; i++) {
        ids[i] = targets[i]!.tagIdOf(line.tagValues[i]!)
        columns[i] = targets[i]!.index
      }
      series.batchId = this.id
      series.batchTagIds = ids
      series.batchTagColumns = columns
    }
    const ids = series.batchTagIds
    for (let i = 0; i < line.tagCount; i++) targets[i]!.setTagId(rowIndex, ids[i]!)
  }

  private resolveTags(line: ParsedLine, serial: number): boolean {
    const targets = this.tagTargets
    for (let i = 0; i < line.tagCount; i++) {
      // Lines of one measurement usually repeat their keys in the same order, and keys are interned strings: an
      // identity check against the previous line's column at this position skips the Map lookup.
      const key = line.tagKeys[i]!
      const previous = targets[i]
      const column = previous !== undefined && previous.name === key ? previous : this.columnFor(key, 'tag')
      if (column.stamp === serial) return this.refuse('DuplicateTag', line.tagColumns[i]!)
      if (column.kind !== 'tag') return this.refuse('TypeConflict', line.tagColumns[i]!)
      column.stamp = serial
      targets[i] = column
    }
    return true
  }

  /**
   * Walks fields last to first, so the last of duplicate keys claims the column and earlier ones are skipped. Columns
   * new to the batch are created afterwards in line order, so columns keep their order of first use.
   */
  private resolveFields(line: ParsedLine, serial: number): boolean {
    const pending = this.pendingFieldIndexes
    this.pendingCount = 0 // a count, not pending.length = 0: setting an array's length is a builtin call per line
    if (this.pendingNames.size > 0) this.pendingNames.clear()
    for (let i = line.fieldCount - 1; i >= 0; i--) {
      const name = line.fieldKeys[i]!
      const previous = this.fieldTargets[i]
      const column = previous !== null && previous !== undefined && previous.name === name ? previous : this.columnsByName.get(name)
      if (column === undefined) {
        if (this.pendingCount > 0 && this.pendingNames.has(name)) this.fieldTargets[i] = null
        else this.addPending(name, i)
        continue
      }
      if (column.stamp === serial) {
        if (column.kind === 'tag') return this.refuse('TypeConflict', line.fieldColumns[i]!)
        this.fieldTargets[i] = null
        continue
      }
      if (column.kind !== line.fieldKinds[i]!) return this.refuse('TypeConflict', line.fieldColumns[i]!)
      column.stamp = serial
      this.fieldTargets[i] = column
    }
    for (let p = this.pendingCount - 1; p >= 0; p--) {
      const i = pending[p]!
      const column = this.columnFor(line.fieldKeys[i]!, line.fieldKinds[i]!)
      column.stamp = serial
      this.fieldTargets[i] = column
    }
    return true
  }

  private addPending(name: string, fieldIndex: number): void {
    this.pendingFieldIndexes[this.pendingCount++] = fieldIndex
    this.pendingNames.add(name)
  }

  private columnFor(name: string, kind: LineColumnKind): LineColumnBuilder {
    let column = this.columnsByName.get(name)
    if (column === undefined) {
      column = new LineColumnBuilder(name, kind, this.rowCount, this.capacityHint)
      column.index = this.columns.length
      this.columns.push(column)
      this.columnsByName.set(name, column)
    }
    return column
  }

  private refuse(code: IlpErrorCode, column: number): false {
    this.errorCode = code
    this.errorColumn = column
    return false
  }

  /** Forgets columns a refused line created, so a column only ever appears through a row that has it. */
  private dropColumnsFrom(columnCount: number): void {
    if (this.columns.length === columnCount) return
    while (this.columns.length > columnCount) this.columnsByName.delete(this.columns.pop()!.name)
    // The positional caches may point at a dropped column; the next line must look its keys up again.
    this.tagTargets.length = 0
    this.fieldTargets.length = 0
  }

  /** The batch; its arrays may be this builder's own (when exactly full), so the builder is done after. */
  finish(): LineBatch {
    this.leaveDense()
    const isFull = this.rowCount === this.timestampsUs.length
    return {
      measurement: this.measurement,
      rowCount: this.rowCount,
      timestampsUs: isFull ? this.timestampsUs : this.timestampsUs.slice(0, this.rowCount),
      lineNumbers: isFull ? this.lineNumbers : this.lineNumbers.slice(0, this.rowCount),
      columns: this.columns.map((column) => column.finish(this.rowCount)),
    }
  }
}
