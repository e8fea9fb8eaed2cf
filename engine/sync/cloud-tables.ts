// engine/sync/cloud-tables: the cloud side of an edge's schema and rows (issue 11). An edge table becomes the cloud
// table of the same name (created if missing, columns added by name — a union over edges), plus the source tag
// (`_edge` = node id) and the applied position (_edge_inc, _edge_lsn) written in every synced row: the rows and the
// position are one cloud WAL record, so a replay rebuilds the high-water mark and they can never disagree.
import { asTableId } from '../../src/common/ids.js'
import { EngineFailureError, type Engine } from '../api.js'
import type { ColumnBatch, ColumnKind, ColumnVector } from '../batch.js'
import { OP_VERSION, type ColumnSchema, type TableSchema } from '../ops.js'

export const EDGE_INCARNATION_COLUMN = '_edge_inc'
export const EDGE_LSN_COLUMN = '_edge_lsn'

function column(name: string, kind: ColumnKind, sqlType: string): ColumnSchema {
  return { name, kind, sqlType, notNull: false }
}

/** A column of `kind` holding NULL in every row (an edge batch written before the column existed). */
function nullVector(kind: ColumnKind, rowCount: number): ColumnVector {
  const nulls = new Uint8Array(rowCount).fill(1)
  switch (kind) {
    case 'timestamp': case 'f64': return { kind, values: new Float64Array(rowCount), nulls }
    case 'i64': return { kind, values: new BigInt64Array(rowCount), nulls }
    case 'bool': return { kind, values: new Uint8Array(rowCount), nulls }
    case 'symbol': return { kind, ids: new Int32Array(rowCount).fill(-1), dict: [] }
    case 'text': return { kind, values: new Array<string | null>(rowCount).fill(null) }
  }
}

function hold(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

export class CloudTables {
  constructor(private readonly engine: Engine, private readonly tagName: string) {}

  /** The columns every synced table carries besides the edge's own. */
  private syncColumns(): ColumnSchema[] {
    return [column(this.tagName, 'symbol', 'text'), column(EDGE_INCARNATION_COLUMN, 'i64', 'int8'), column(EDGE_LSN_COLUMN, 'i64', 'int8')]
  }

  /**
   * CREATE IF NOT EXISTS, then the column union: the cloud table holds every live edge column (nullable but the
   * designated timestamp) and the sync columns. A column of the same name and another kind holds the edge's stream.
   */
  async ensureTable(edge: TableSchema): Promise<TableSchema> {
    const live = edge.columns.filter((c) => c.isDropped !== true)
    const timestamp = edge.columns[edge.timestampIndex]!
    const wanted = [...live.map((c) => (c === timestamp ? c : { ...c, notNull: false })), ...this.syncColumns()]
    let table = this.engine.tables().find((t) => t.name === edge.name)
    if (table === undefined) {
      const created = await this.engine.execute({
        kind: 'CreateTableOp', v: OP_VERSION, name: edge.name, columns: wanted, timestampIndex: live.indexOf(timestamp), ifNotExists: true,
      })
      table = created.table
    }
    for (const want of wanted) {
      const have = table.columns.find((c) => c.name === want.name && c.isDropped !== true)
      if (have !== undefined && have.kind !== want.kind) {
        throw hold(`column "${want.name}" of table "${edge.name}" is ${have.kind} in the cloud, ${want.kind} on the edge`)
      }
    }
    const missing = wanted.filter((want) => !table!.columns.some((c) => c.name === want.name && c.isDropped !== true))
    if (missing.length === 0) return table
    const added = await this.engine.execute({
      kind: 'AddColumnsOp', v: OP_VERSION, tableId: table.id, columns: missing.map((c) => ({ ...c, notNull: false })),
    })
    return added.table
  }

  /** The edge batch in the cloud table's column order, with the source tag and the applied position in every row. */
  cloudBatch(cloud: TableSchema, edge: TableSchema, batch: ColumnBatch, nodeId: string, incarnation: number, lsn: number): ColumnBatch {
    const rowCount = batch.rowCount
    const columns = cloud.columns.map((target): ColumnVector => {
      if (target.name === this.tagName) return { kind: 'symbol', ids: new Int32Array(rowCount), dict: [nodeId] }
      if (target.name === EDGE_INCARNATION_COLUMN) return { kind: 'i64', values: new BigInt64Array(rowCount).fill(BigInt(incarnation)) }
      if (target.name === EDGE_LSN_COLUMN) return { kind: 'i64', values: new BigInt64Array(rowCount).fill(BigInt(lsn)) }
      const index = target.isDropped === true ? -1 : edge.columns.findIndex((c) => c.name === target.name && c.isDropped !== true)
      const vector = index >= 0 ? batch.columns[index] : undefined
      if (vector === undefined) return nullVector(target.kind, rowCount)
      if (vector.kind !== target.kind) throw hold(`column "${target.name}" is ${target.kind} in the cloud, ${vector.kind} in the edge record`)
      return vector
    })
    return { rowCount, columns }
  }

  /**
   * The highest edge LSN applied for (nodeId, incarnation): max(_edge_lsn) over every synced table's rows of that
   * source. 0 when none. Runs once per source after a start; the applier keeps it current from then on.
   */
  async highWater(nodeId: string, incarnation: number): Promise<number> {
    let high = 0
    for (const table of this.engine.tables()) {
      const index = (name: string) => table.columns.findIndex((c) => c.name === name && c.isDropped !== true)
      const [tag, inc, lsn] = [index(this.tagName), index(EDGE_INCARNATION_COLUMN), index(EDGE_LSN_COLUMN)]
      if (tag < 0 || inc < 0 || lsn < 0) continue
      const result = await this.engine.execute({
        kind: 'ScanOp', v: OP_VERSION, tableId: asTableId(table.id), timeRange: { fromUs: -Infinity, toUs: Infinity },
        filters: [{ column: tag, op: 'eq', values: [nodeId] }, { column: inc, op: 'eq', values: [BigInt(incarnation)] }],
        projection: [], groupBy: [], aggregates: [{ fn: 'max', column: lsn }], limit: null,
      })
      for (const partial of result.partials) {
        if (partial.kind !== 'AggPartial') continue
        const state = partial.states[0]
        if (state === undefined || (state.kind !== 'max') || state.values.kind !== 'i64') continue
        for (let g = 0; g < partial.groupCount; g++) {
          if (state.values.nulls?.[g] !== 1) high = Math.max(high, Number(state.values.values[g]!))
        }
      }
    }
    return high
  }
}
