// test/unit/sql/fake-engine: a tiny in-memory Engine for sql's unit tests. It records every op, keeps the catalog,
// stores ingested batches and answers raw scans (time range, eq/in filters and the pushed expression, by the real
// kernels); aggregate scans are answered by a hand-built `respond` hook so tests control exactly what each "core"
// returns. Not the real engine.
import type { ColumnBatch, ColumnVector, RowsPartial, ScanPartial } from '../../../engine/batch.js'
import { isNullAt } from '../../../engine/batch.js'
import { EngineFailureError, type Engine, type EngineStats, type ResultOf, type ScanStreamOptions } from '../../../engine/api.js'
import { droppedColumnName, type ScanOp, type TableSchema, type TimeseriesOp } from '../../../engine/ops.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'
import { compileWhere } from '../../../engine/timeseries/expr-eval.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'

export class FakeEngine implements Engine {
  readonly ops: TimeseriesOp[] = []
  readonly batches = new Map<number, ColumnBatch[]>()
  private readonly catalog: TableSchema[] = []
  private nextTableId = 1
  /** When set, answers every ScanOp (e.g. with AggPartials from two "cores"). */
  respond: ((op: ScanOp) => ReadonlyArray<ScanPartial>) | null = null

  /** Streams the same partials a ScanOp answers, one batch per stored batch (as cores would, in batches). */
  async *scanStream(op: ScanOp, options: ScanStreamOptions = {}): AsyncGenerator<RowsPartial> {
    const result = await this.execute(op)
    for (const partial of result.partials) {
      if (options.signal?.aborted === true) return
      if (partial.kind === 'RowsPartial') yield partial
    }
  }

  async execute<T extends TimeseriesOp>(op: T): Promise<ResultOf<T>> {
    this.ops.push(op)
    return this.apply(op) as ResultOf<T>
  }

  private apply(op: TimeseriesOp): unknown {
    switch (op.kind) {
      case 'CreateTableOp': {
        const existing = this.catalog.find((table) => table.name === op.name)
        if (existing !== undefined) {
          if (op.ifNotExists) return { kind: 'CreateTableResult', table: existing, created: false }
          throw new EngineFailureError({ kind: 'TableExists', detail: op.name })
        }
        const table: TableSchema = {
          id: asTableId(this.nextTableId++), name: op.name, columns: op.columns, timestampIndex: op.timestampIndex,
          ...(op.retentionUs === undefined || op.retentionUs === null ? {} : { retentionUs: op.retentionUs }),
        }
        this.catalog.push(table)
        return { kind: 'CreateTableResult', table, created: true }
      }
      case 'IngestOp': {
        const list = this.batches.get(op.tableId) ?? []
        list.push(op.batch)
        this.batches.set(op.tableId, list)
        return { kind: 'IngestResult', rowCount: op.batch.rowCount, lsn: asLsn(this.ops.length) }
      }
      case 'AddColumnsOp': {
        const index = this.catalog.findIndex((table) => table.id === op.tableId)
        const existing = this.catalog[index]
        if (existing === undefined) throw new EngineFailureError({ kind: 'NoSuchTable', detail: String(op.tableId) })
        const added = op.columns.filter((column) => !existing.columns.some((c) => c.name === column.name))
        const table: TableSchema = { ...existing, columns: [...existing.columns, ...added] }
        this.catalog[index] = table
        return { kind: 'AddColumnsResult', table, addedCount: added.length }
      }
      case 'SetRetentionOp': {
        const index = this.catalog.findIndex((table) => table.id === op.tableId)
        const existing = this.catalog[index]
        if (existing === undefined) throw new EngineFailureError({ kind: 'NoSuchTable', detail: String(op.tableId) })
        const table: TableSchema = { ...existing, retentionUs: op.retentionUs }
        this.catalog[index] = table
        return { kind: 'SetRetentionResult', table }
      }
      case 'ScanOp':
        if (this.respond !== null) return { kind: 'ScanResult', partials: this.respond(op) }
        return { kind: 'ScanResult', partials: (this.batches.get(op.tableId) ?? []).map((batch) => scanBatch(this.catalog[this.indexOf(op.tableId)]!, batch, op)) }
      case 'DropTableOp':
        this.catalog.splice(this.indexOf(op.tableId), 1)
        this.batches.delete(op.tableId)
        return { kind: 'DropTableResult' }
      case 'DeleteRowsOp': throw new EngineFailureError({ kind: 'InvalidBatch', detail: 'the fake engine has no DELETE' })
      case 'TruncateTableOp':
        this.batches.delete(op.tableId)
        return { kind: 'TruncateTableResult', table: this.catalog[this.indexOf(op.tableId)]! }
      case 'RenameTableOp': return this.alter(op.tableId, (table) => ({ ...table, name: op.name }))
      case 'RenameColumnOp':
        return this.alter(op.tableId, (table) => ({ ...table, columns: table.columns.map((c, i) => (i === op.column ? { ...c, name: op.name } : c)) }))
      case 'DropColumnOp':
        return this.alter(op.tableId, (table) => ({
          ...table, columns: table.columns.map((c, i) => (i === op.column ? { ...c, name: droppedColumnName(i + 1), notNull: false, isDropped: true } : c)),
        }))
      case 'SetColumnDefaultOp':
        return this.alter(op.tableId, (table) => ({ ...table, columns: table.columns.map((c, i) => (i === op.column ? { ...c, default: op.default } : c)) }))
    }
  }

  private indexOf(tableId: number): number {
    const index = this.catalog.findIndex((table) => table.id === tableId)
    if (index < 0) throw new EngineFailureError({ kind: 'NoSuchTable', detail: String(tableId) })
    return index
  }

  private alter(tableId: number, change: (table: TableSchema) => TableSchema): unknown {
    const index = this.indexOf(tableId)
    this.catalog[index] = change(this.catalog[index]!)
    return { kind: 'AlterTableResult', table: this.catalog[index] }
  }

  tables(): ReadonlyArray<TableSchema> { return this.catalog }
  stats(): EngineStats { return { coreCount: 2, lsnDurable: asLsn(0), replayedRecordCount: 0 } }
  /** Nothing to flush: the fake keeps every batch in memory. */
  async flushAll(): Promise<void> {}

  async close(): Promise<void> {}
}

function valueAt(vector: ColumnVector, row: number): unknown {
  if (isNullAt(vector, row)) return null
  switch (vector.kind) {
    case 'symbol': return vector.dict[vector.ids[row] ?? 0]
    case 'text': return vector.values[row]
    case 'bool': return vector.values[row] === 1
    default: return vector.values[row]
  }
}

function pick(vector: ColumnVector, rows: number[]): ColumnVector {
  const nulls = 'nulls' in vector && vector.nulls !== undefined ? Uint8Array.from(rows, (r) => vector.nulls?.[r] ?? 0) : undefined
  switch (vector.kind) {
    case 'symbol': return { kind: 'symbol', dict: vector.dict, ids: Int32Array.from(rows, (r) => vector.ids[r] ?? -1) }
    case 'text': return { kind: 'text', values: rows.map((r) => vector.values[r] ?? null) }
    case 'i64': return { kind: 'i64', values: BigInt64Array.from(rows, (r) => vector.values[r] ?? 0n), ...(nulls ? { nulls } : {}) }
    case 'bool': return { kind: 'bool', values: Uint8Array.from(rows, (r) => vector.values[r] ?? 0), ...(nulls ? { nulls } : {}) }
    case 'f64': return { kind: 'f64', values: Float64Array.from(rows, (r) => vector.values[r] ?? 0), ...(nulls ? { nulls } : {}) }
    case 'timestamp': return { kind: 'timestamp', values: Float64Array.from(rows, (r) => vector.values[r] ?? 0), ...(nulls ? { nulls } : {}) }
  }
}

/** Rows of `rows` the op's pushed expression keeps, run by the engine's own kernels (engine/timeseries/expr-eval.ts). */
function whereRows(schema: TableSchema, batch: ColumnBatch, op: ScanOp, rows: number[]): number[] {
  if (op.where === undefined || op.where === null) return rows
  const memtable = Memtable.fromVectors(schema, batch.rowCount, batch.columns, new Set())
  const where = compileWhere(schema, op.where)
  const kept: number[] = []
  for (const row of rows) {
    const one = Int32Array.of(row)
    if (where.filter(memtable.columns, one, 0, 1) === 1) kept.push(row)
  }
  return kept
}

function scanBatch(schema: TableSchema, batch: ColumnBatch, op: ScanOp): ScanPartial {
  const rows: number[] = []
  const ts = batch.columns.find((vector) => vector.kind === 'timestamp')
  for (let row = 0; row < batch.rowCount; row += 1) {
    const time = ts === undefined ? 0 : Number(valueAt(ts, row))
    if (time < op.timeRange.fromUs || time >= op.timeRange.toUs) continue
    const passes = op.filters.every((filter) => {
      const vector = batch.columns[filter.column]
      const value = vector === undefined ? null : valueAt(vector, row)
      if (filter.op === 'eq' || filter.op === 'in') return filter.values.some((v) => v === value)
      if (filter.op === 'neq' || filter.op === 'notIn') return !filter.values.some((v) => v === value)
      return true
    })
    if (passes) rows.push(row)
  }
  const kept = whereRows(schema, batch, op, rows)
  const limited = op.limit === null ? kept : kept.slice(0, op.limit)
  return { kind: 'RowsPartial', rowCount: limited.length, columns: op.projection.map((c) => pick(batch.columns[c] as ColumnVector, limited)) }
}
