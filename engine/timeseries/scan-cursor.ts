// engine/timeseries/scan-cursor: a raw scan of one core's share of a table, taken a bounded step at a time so it can
// answer in batches (streaming scans). Holds the snapshot of its sources, decoding segment row groups only when it
// reaches them, so a core holds one decoded row group per stream at a time. Knows nothing of rings or SQL.
import { SCAN_BATCH_ROWS_COUNT, SCAN_STEP_ROWS_EXAMINED_MAX_COUNT } from '../../src/common/limits.js'
import type { ColumnVector, RowsPartial } from '../batch.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { Memtable } from './memtable.js'
import { buildRows, checkColumns, selectRowRange, type Selection } from './scan.js'

/**
 * One place rows come from, fixed when the scan starts: a memtable read up to `rowCount` (rows appended to a live
 * memtable later belong to later scans), or a segment row group that `open` decodes on first use.
 */
export interface ScanSource {
  readonly rowCount: number
  open(): Memtable
}

export class ScanCursor {
  private sourceIndex = 0
  private current: Memtable | undefined
  private nextRow = 0
  private remainingCount: number

  /** Throws EngineFailureError ('InvalidBatch') when the op names a column the table lacks. */
  constructor(private readonly schema: TableSchema, private readonly op: ScanOp, private sources: ScanSource[]) {
    checkColumns(schema, op)
    this.remainingCount = op.limit === null ? Number.POSITIVE_INFINITY : Math.max(0, op.limit)
  }

  /** No row is left to examine (or the op's limit was reached). */
  get isDone(): boolean {
    return this.remainingCount <= 0 || this.sourceIndex >= this.sources.length
  }

  /** Drops the sources (and the decoded row group) early: a cancelled stream releases its memory at once. */
  close(): void {
    this.sources = []
    this.current = undefined
  }

  /**
   * The next rows: at most SCAN_BATCH_ROWS_COUNT, after examining at most SCAN_STEP_ROWS_EXAMINED_MAX_COUNT rows (a
   * selective filter yields small or empty steps rather than a long one that would keep the core from its ring).
   */
  step(): RowsPartial {
    return this.rowsOf(this.stepSelections())
  }

  /** The selections of step() (each a source's rows passing), before they are gathered into vectors. */
  stepSelections(): Selection[] {
    const selections: Selection[] = []
    let found = 0
    let examined = 0
    while (!this.isDone && found < SCAN_BATCH_ROWS_COUNT && examined < SCAN_STEP_ROWS_EXAMINED_MAX_COUNT) {
      const source = this.sources[this.sourceIndex]!
      this.current ??= source.open()
      const toRow = Math.min(source.rowCount, this.nextRow + SCAN_STEP_ROWS_EXAMINED_MAX_COUNT - examined)
      const limit = Math.min(SCAN_BATCH_ROWS_COUNT - found, this.remainingCount)
      const { selection, nextRow } = selectRowRange(this.current, this.op, { fromRow: this.nextRow, toRow, limit })
      examined += nextRow - this.nextRow
      this.nextRow = nextRow
      found += selection.count
      this.remainingCount -= selection.count
      if (selection.count > 0) selections.push(selection)
      if (this.nextRow >= source.rowCount) {
        this.sourceIndex += 1
        this.current = undefined
        this.nextRow = 0
      }
    }
    return selections
  }

  /** The projected rows of `selections` (from stepSelections) gathered into vectors. */
  rowsOf(selections: ReadonlyArray<Selection>): RowsPartial {
    return buildRows(this.schema, this.op, selections)
  }

  /**
   * The projected columns of a selection's source, by scan slot, as the vectors they are (no copy): a core encoding
   * DataRows reads the selected rows straight from them (ColumnDataRowEncoder.encodeParts).
   */
  projectedColumns(selection: Selection): ColumnVector[] {
    const columns = selection.memtable.columns
    return this.op.projection.map((column) => columns[column]! as ColumnVector)
  }
}
