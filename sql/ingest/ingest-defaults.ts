// sql/ingest/ingest-defaults: column DEFAULTs for ILP writes into tables created over SQL. A line cannot write NULL,
// so a NULL in an ILP batch column is a line that left the field out: it gets the column's default, as a PostgreSQL
// INSERT that omits the column would. Stable defaults (constants, now()) are evaluated once per write (one IngestOp,
// one statement's now()); volatile ones (random()) once per row. Runs on the control thread over one table's batch.
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import { isNullAt } from '../../engine/batch.js'
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import type { SessionContext, SqlValue } from '../api.js'
import { columnType } from '../bind/catalog.js'
import type { Expr } from '../bind/expr.js'
import { columnDefault } from '../catalog/pg-attrdef.js'
import { buildBatch } from '../exec/build-batch.js'
import { boundDefaults, isStableDefault } from '../exec/column-default.js'
import { evaluate } from '../exec/evaluate.js'
import { newExecEnv } from '../exec/exec-env.js'
import { functionContext } from '../exec/query.js'
import { castTyped } from '../exec/value-ops.js'

/** The session ILP writes run as: no settings of their own (TimeZone UTC, as the server's default). */
const ILP_SESSION: SessionContext = { user: 'nodedb', database: 'nodedb', settings: new Map() }

/** True when some column other than the designated timestamp has a default (ILP fills that one with the time). */
export function hasIngestDefaults(table: TableSchema): boolean {
  return table.columns.some((column, index) => index !== table.timestampIndex && columnDefault(column) !== null)
}

function valueAt(vector: ColumnVector, row: number): SqlValue {
  if (isNullAt(vector, row)) return null
  switch (vector.kind) {
    case 'timestamp': case 'f64': return vector.values[row]!
    case 'i64': return vector.values[row]!
    case 'bool': return vector.values[row] === 1
    case 'symbol': return vector.dict[vector.ids[row]!]!
    case 'text': return vector.values[row]!
    default: return assertNever(vector)
  }
}

/** `batch` with every NULL of a column that has a default replaced by the default's value. */
export function fillIngestDefaults(engine: Engine, table: TableSchema, batch: ColumnBatch): ColumnBatch {
  const defaults = boundDefaults(engine, table)
  const env = newExecEnv(engine, [], functionContext(ILP_SESSION, engine), ILP_SESSION)
  const valueOf = (expr: Expr, index: number): SqlValue => castTyped(evaluate(expr, [], [], env), expr.type, columnType(table, index), env.functions)
  const columns = batch.columns.map((vector, index) => {
    const expr = defaults[index]
    if (expr === null || expr === undefined || index === table.timestampIndex) return vector
    const stable = isStableDefault(expr) ? valueOf(expr, index) : undefined
    let filled = 0
    const values = new Array<SqlValue>(batch.rowCount)
    for (let row = 0; row < batch.rowCount; row++) {
      const value = valueAt(vector, row)
      if (value !== null) values[row] = value
      else {
        values[row] = stable === undefined ? valueOf(expr, index) : stable
        filled++
      }
    }
    return filled === 0 ? vector : buildBatch([table.columns[index]!], [values], batch.rowCount).columns[0]!
  })
  return { rowCount: batch.rowCount, columns }
}
