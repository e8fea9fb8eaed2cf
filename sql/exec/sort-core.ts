// sql/exec/sort-core: ORDER BY over a plain scan, sorted on the cores (issue 9 / invariant 5). Each core sorts its
// share by typed key columns and encodes its rows' DataRows (engine/core/sort-scan.ts); the engine merges the cores'
// sorted batches by their keys and copies the bytes (engine/sorted-merge.ts); here OFFSET is cut and the batches go
// to wire as EncodedRowsBatches, one per turn of the event loop at most. The main thread neither holds, sorts nor
// encodes a row. Taken when wire asks for DataRows (columnBatches with an encoding) that the cores can write, and
// every key orders on the cores exactly as PostgreSQL orders its SQL type (coreSortKeysOf); otherwise — rows for
// FETCH or COPY, a column with no DataRow writer — the columnar sort on the main thread runs (sort-stream.ts), then.
import type { ScanSort, ScanSortKey } from '../../engine/api.js'
import type { ColumnKind } from '../../engine/batch.js'
import { ColumnDataRowEncoder, type DataRowEncoding } from '../../src/common/datarow-encoder.js'
import { emptyVector, type ColumnVector } from '../../src/common/column-vector.js'
import { assert } from '../../src/common/assert.js'
import type { ColumnRows, EncodedRowsBatch, RowBatch, RowEncoding, RowStream } from '../api.js'
import { withEngineErrors } from '../errors.js'
import type { ExecEnv } from './exec-env.js'
import { charge, pause } from './slice.js'
import type { SortShape } from './sort-stream.js'

/** The SQL types each column kind holds whose order the cores' sort gives (floats: NaN above every number). */
const CORE_ORDERED_TYPES: Readonly<Record<ColumnKind, ReadonlyArray<string>>> = {
  timestamp: ['timestamp', 'timestamptz'], f64: ['float8', 'float4'], i64: ['int2', 'int4', 'int8'], bool: ['bool'],
  // Text compares in the C collation (UTF-16 code units, as value-ops.ts); bpchar ignores trailing blanks: not here.
  symbol: ['text', 'varchar', 'name'],
  // Text fields could have many distinct values to rank in one go on a core: they keep the main-thread sort.
  text: [],
}

/** The shape's keys as the cores' sort keys, or null when one key's type orders otherwise on the cores. */
export function coreSortKeysOf(shape: SortShape, kinds: ReadonlyArray<ColumnKind | undefined>): ScanSortKey[] | null {
  const keys: ScanSortKey[] = []
  for (const [k, { expr, descending, nullsFirst }] of shape.sort.keys.entries()) {
    const slot = shape.keySlots[k]!
    const kind = kinds[slot]
    if (kind === undefined || !CORE_ORDERED_TYPES[kind].includes(expr.type.name)) return null
    if (shape.scan.columns[slot]?.type.name !== expr.type.name) return null
    keys.push({ column: slot, descending, nullsFirst })
  }
  return keys
}

/** The engine column kind of each scan slot (undefined for one the table no longer has). */
export function scanKindsOf(shape: SortShape, env: ExecEnv): Array<ColumnKind | undefined> {
  const table = env.engine.tables().find((candidate) => candidate.id === shape.scan.op.tableId)
  return shape.scan.op.projection.map((column) => table?.columns[column]?.kind)
}

/**
 * The columns sorted on the cores: streamed as DataRows when wire asks for them; else `fallback()` (the main thread's
 * columnar sort) is run when the rows are first pulled and its stream read.
 */
export class CoreSortedRowStream implements RowStream {
  private rowCountValue = 0
  private isIterated = false
  private readonly controller = new AbortController()
  private fallbackStream: RowStream | null = null

  constructor(private readonly shape: SortShape, private readonly env: ExecEnv, private readonly keys: ReadonlyArray<ScanSortKey>,
    private readonly kinds: ReadonlyArray<ColumnKind | undefined>, private readonly offset: number,
    private readonly fallback: () => Promise<RowStream>) {}

  get rowCount(): number {
    return this.fallbackStream?.rowCount ?? this.rowCountValue
  }

  cancel(): void {
    this.controller.abort()
    this.fallbackStream?.cancel()
  }

  [Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    return this.fallbackBatches((stream) => stream[Symbol.asyncIterator]())
  }

  columnBatches(encoding?: RowEncoding): AsyncIterator<RowBatch | ColumnRows | EncodedRowsBatch> {
    const coreEncoding = encoding === undefined ? undefined : this.coreEncodingOf(encoding)
    if (coreEncoding === undefined) return this.fallbackBatches((stream) => stream.columnBatches!())
    return this.sortedOnCores(coreEncoding)
  }

  /** The cores' encoding of the result columns, or undefined when the encoder lacks a writer for one of them. */
  private coreEncodingOf(encoding: RowEncoding): DataRowEncoding | undefined {
    const { outputSlots } = this.shape
    const coreEncoding: DataRowEncoding = {
      columns: outputSlots.map((slot, index) => ({ slot, typeOid: encoding.typeOids[index] ?? 0, format: encoding.formats[index] ?? 0 })),
      timeZone: encoding.timeZone, dateStyle: encoding.dateStyle, intervalStyle: encoding.intervalStyle,
    }
    const vectors: ColumnVector[] = []
    for (const slot of outputSlots) {
      const kind = this.kinds[slot]
      if (kind === undefined) return undefined
      vectors[slot] = emptyVector(kind)
    }
    return new ColumnDataRowEncoder().encodeBatch(vectors, 0, coreEncoding) === null ? undefined : coreEncoding
  }

  private async *sortedOnCores(encoding: DataRowEncoding): AsyncGenerator<EncodedRowsBatch, void, undefined> {
    this.markIterated()
    const { scan } = this.shape
    if (scan.op.timeRange.fromUs >= scan.op.timeRange.toUs) return
    const sort: ScanSort = { keys: this.keys, rowsMax: this.env.rowsHeldBudget, what: `the sort of "${scan.tableName}"` }
    const source = this.env.engine.scanStream(scan.op, { signal: this.controller.signal, encoding, sort })[Symbol.asyncIterator]()
    let skipCount = this.offset
    try {
      for (;;) {
        const next = await withEngineErrors(() => source.next())
        if (next.done === true) return
        const { rowCount, encoded } = next.value
        assert(encoded !== undefined, 'a sorted scan\'s batches are DataRows')
        // The merge of one batch ran on this thread: a turn of the event loop between slices (57014 there on cancel).
        if (charge(this.env, rowCount)) await pause(this.env)
        const from = Math.min(skipCount, rowCount)
        skipCount -= from
        if (from === rowCount) continue
        this.rowCountValue += rowCount - from
        yield { kind: 'EncodedRows', rowCount: rowCount - from, from, encoded }
      }
    } finally {
      await source.return?.() // cancels the cores' sorts when the stream stops early
    }
  }

  private async *fallbackBatches<B>(batchesOf: (stream: RowStream) => AsyncIterator<B>): AsyncGenerator<B, void, undefined> {
    this.markIterated()
    const stream = await this.fallback()
    this.fallbackStream = stream
    if (this.controller.signal.aborted) stream.cancel()
    const batches = batchesOf(stream)
    try {
      for (let next = await batches.next(); next.done !== true; next = await batches.next()) yield next.value
    } finally {
      await batches.return?.()
    }
  }

  private markIterated(): void {
    assert(!this.isIterated, 'a RowStream is iterated once')
    this.isIterated = true
  }
}
