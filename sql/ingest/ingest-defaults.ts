// sql/ingest/ingest-defaults: column DEFAULTs for ILP writes into tables created over SQL. A line cannot write NULL,
// so a NULL in an ILP batch column is a line that left the field out: it gets the column's default, as a PostgreSQL
// INSERT that omits the column would. Stable defaults (constants, now()) are evaluated once per write (one IngestOp,
// one statement's now()); volatile ones (random()) once per row. Runs on the control thread over one table's batch.
// COPY uses fillDefaults for the volatile defaults of the columns it leaves out (its parse workers cannot evaluate).
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import { isNullAt } from '../../engine/batch.js'
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import { notNullViolation } from '../../src/common/errors.js'
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
import type { FunctionContext } from '../functions/function-def.js'

/** The session ILP writes run as (no settings of their own: TimeZone UTC, the server's default); COPY passes its own functions. */
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

/** `batch` with every NULL of a column that has a default replaced by the default's value (ILP). */
export function fillIngestDefaults(engine: Engine, table: TableSchema, batch: ColumnBatch): ColumnBatch {
  return fillDefaults(engine, table, batch, null, functionContext(ILP_SESSION, engine))
}

/**
 * Defaults evaluated into `batch`: with `columns` null, into the NULLs of every column that has one (stable defaults
 * once, volatile ones per row); else every row of those columns gets its own value (COPY's volatile defaults).
 */
export function fillDefaults(engine: Engine, table: TableSchema, batch: ColumnBatch, columns: ReadonlySet<number> | null, functions: FunctionContext): ColumnBatch {
  const defaults = boundDefaults(engine, table)
  const env = newExecEnv(engine, [], functions, ILP_SESSION)
  const valueOf = (expr: Expr, index: number): SqlValue => castTyped(evaluate(expr, [], [], env), expr.type, columnType(table, index), env.functions)
  const vectors = batch.columns.map((vector, index) => {
    const expr = defaults[index]
    if (expr === null || expr === undefined || index === table.timestampIndex || (columns !== null && !columns.has(index))) return vector
    const stable = columns === null && isStableDefault(expr) ? valueOf(expr, index) : undefined
    let filled = 0
    const values = new Array<SqlValue>(batch.rowCount)
    for (let row = 0; row < batch.rowCount; row++) {
      const value = columns === null ? valueAt(vector, row) : null
      if (value !== null) values[row] = value
      else {
        values[row] = stable === undefined ? valueOf(expr, index) : stable
        if (values[row] === null && table.columns[index]!.notNull) throw notNullViolation(table.columns[index]!.name, table.name)
        filled++
      }
    }
    return filled === 0 ? vector : buildBatch([table.columns[index]!], [values], batch.rowCount).columns[0]!
  })
  return { rowCount: batch.rowCount, columns: vectors }
}
