// sql/ingest/ingest: sql.ingest — line-protocol batches → tables created on first write, columns added as they
// appear (AddColumnsOp), rows that do not fit refused line by line, the rest lowered to one IngestOp per table.
// Knows nothing of sockets or of the line protocol's bytes; the engine knows nothing of this.
import { isEngineFailureError, type Engine } from '../../engine/api.js'
import { OP_VERSION, type IngestOp, type TableSchema } from '../../engine/ops.js'
import { ILP_ERRORS_KEPT_MAX_COUNT, ILP_INGEST_TABLES_IN_FLIGHT_COUNT } from '../../src/common/limits.js'
import type { IngestBatch, IngestLineError, IngestOptions, IngestOutcome } from '../api.js'
import { withEngineErrors } from '../errors.js'
import { nameProblem, newTableColumns, planColumn, type ColumnPlan } from './ingest-plan.js'
import { RowRefusals } from './ingest-rows.js'
import { fitTypedText } from './ingest-typed-text.js'
import { buildIngestColumns } from './ingest-vectors.js'
import { fillIngestDefaults, hasIngestDefaults } from './ingest-defaults.js'
import { aheadPayloadsFor, reparsed, writeLeanAhead } from './ingest-ahead.js'
import { isParserLoaded, loadParser } from '../parse/adapter.js'

interface TableOutcome {
  readonly rowCount: number
  readonly errors: IngestLineError[]
  readonly errorCount: number
}

function isLimitExceeded(error: unknown): boolean {
  return isEngineFailureError(error) && error.failure.kind === 'LimitExceeded'
}

/** The table named `name`, created from the batch's columns when missing; undefined when the table limit is hit. */
async function tableFor(engine: Engine, batch: IngestBatch): Promise<TableSchema | undefined> {
  const existing = engine.tables().find((table) => table.name === batch.measurement)
  if (existing !== undefined) return existing
  try {
    const result = await engine.execute({
      kind: 'CreateTableOp', v: OP_VERSION, name: batch.measurement, columns: newTableColumns(batch.columns),
      timestampIndex: 0, ifNotExists: true,
    })
    return result.table
  } catch (error) {
    if (isLimitExceeded(error)) return undefined
    throw error
  }
}

/** Plans every column, adding the missing ones; a column that cannot be added is refused. */
async function planColumns(engine: Engine, table: TableSchema, batch: IngestBatch): Promise<{ table: TableSchema; plans: ColumnPlan[] }> {
  const plans = batch.columns.map((column) => planColumn(table, column))
  const added = plans.flatMap((plan) => (plan.kind === 'add' ? [plan.schema] : []))
  if (added.length === 0) return { table, plans }
  let extended = table
  try {
    extended = (await engine.execute({ kind: 'AddColumnsOp', v: OP_VERSION, tableId: table.id, columns: added })).table
  } catch (error) {
    if (!isLimitExceeded(error)) throw error
  }
  const replanned = plans.map((plan, index): ColumnPlan => {
    if (plan.kind !== 'add') return plan
    const again = planColumn(extended, batch.columns[index]!)
    if (again.kind !== 'add') return again
    return { kind: 'reject', code: 'LimitExceeded', message: `cannot add column "${plan.schema.name}" to "${table.name}": too many columns` }
  })
  return { table: extended, plans: replanned }
}

async function ingestTable(engine: Engine, batch: IngestBatch, errorsKeptMax: number): Promise<TableOutcome> {
  if (batch.encoded?.isLean === true) { // only the payloads came from the worker (ingest-ahead.ts leanAhead)
    const written = await writeLeanAhead(engine, batch)
    return written !== undefined ? { rowCount: written, errors: [], errorCount: 0 } : ingestTable(engine, reparsed(batch), errorsKeptMax)
  }
  const refusals = new RowRefusals(batch)
  const done = (rowCount: number): TableOutcome => ({ rowCount, errors: refusals.errors(errorsKeptMax), errorCount: refusals.count })
  const problem = nameProblem(batch.measurement)
  if (problem !== undefined) {
    refusals.refuseAll('BadName', `invalid table name "${batch.measurement}": ${problem}`)
    return done(0)
  }
  const found = await tableFor(engine, batch)
  if (found === undefined) {
    refusals.refuseAll('LimitExceeded', `cannot create table "${batch.measurement}": too many tables`)
    return done(0)
  }
  const { table, plans } = await planColumns(engine, found, batch)
  plans.forEach((plan, index) => {
    const column = batch.columns[index]!
    if (plan.kind === 'reject') refusals.refuseColumn(column, plan.code, plan.message)
    else if (plan.kind === 'map' && (plan.conversion === 'integer' || plan.conversion === 'unsigned')) {
      refusals.refuseOutOfRange(column, plan.rangeBits, table.name)
    }
  })
  refusals.refuseMissingNotNull(table, plans)
  const fitted = fitTypedText(table, batch, plans, refusals)
  const rows = refusals.keptRows()
  const built = buildIngestColumns(table, fitted, plans, rows)
  if (built.rowCount === 0) return done(0)
  // A field a line leaves out takes its column's DEFAULT, as an INSERT that omits the column (ingest-defaults.ts).
  const hasDefaults = hasIngestDefaults(table)
  // Their stored text is read back by the SQL parser, which a server loads at its first pg connection (adapter.ts):
  // ILP into such a table before any pg client connected loads it here.
  if (hasDefaults && !isParserLoaded()) await loadParser()
  const batchOut = hasDefaults ? fillIngestDefaults(engine, table, built) : built
  // The worker's payloads hold exactly `built` when it lowered the same rows (all kept, none fitted) onto this table.
  const encoded = rows === null && fitted === batch && !hasDefaults ? aheadPayloadsFor(batch, table) : undefined
  const op: IngestOp = { kind: 'IngestOp', v: OP_VERSION, tableId: table.id, batch: batchOut, ...(encoded === undefined ? {} : { encoded }) }
  const result = await withEngineErrors(() => engine.execute(op))
  return done(result.rowCount)
}

/**
 * sql.ingest. Tables are written ILP_INGEST_TABLES_IN_FLIGHT_COUNT at a time; each is one IngestOp (one WAL record).
 * Engine failures other than limits reject (as DbError); tables already written stay written.
 */
export async function ingestBatches(engine: Engine, batches: ReadonlyArray<IngestBatch>, options: IngestOptions = {}): Promise<IngestOutcome> {
  const errorsKeptMax = options.errorsKeptMax ?? ILP_ERRORS_KEPT_MAX_COUNT
  const outcomes: TableOutcome[] = []
  for (let start = 0; start < batches.length; start += ILP_INGEST_TABLES_IN_FLIGHT_COUNT) {
    const group = batches.slice(start, start + ILP_INGEST_TABLES_IN_FLIGHT_COUNT).filter((batch) => batch.rowCount > 0)
    outcomes.push(...await Promise.all(group.map((batch) => withEngineErrors(() => ingestTable(engine, batch, errorsKeptMax)))))
  }
  const errors = outcomes.flatMap((outcome) => outcome.errors).sort((a, b) => a.line - b.line).slice(0, errorsKeptMax)
  return {
    rowCount: outcomes.reduce((sum, outcome) => sum + outcome.rowCount, 0),
    errors,
    errorCount: outcomes.reduce((sum, outcome) => sum + outcome.errorCount, 0),
  }
}
