// sql/exec/transaction-statement: one statement run inside a transaction (SessionContext.writes). It sees the engine
// through a view that keeps IngestOps for COMMIT, adds the uncommitted rows to plain scans of their table (read-your-
// writes; the statement is planned with optimizers off for that) and refuses (0A000) any other op on such a table, so
// nothing answers without them. Statements nothing can undo are refused inside a BEGIN block; CREATE TABLE and CREATE
// VIEW run at once and leave their undo.
import { INFINITE_DESIGNATED_TIMESTAMP, type Engine, type ScanStreamOptions, type ViewSchema } from '../../engine/api.js'
import type { RowsPartial } from '../../engine/batch.js'
import { OP_VERSION, type IngestOp, type ScanOp, type TimeseriesOp } from '../../engine/ops.js'
import { asLsn, type TableId } from '../../src/common/ids.js'
import { featureNotSupportedMessage } from '../../src/common/errors.js'
import type { SessionContext, StatementResult } from '../api.js'
import { SETTING_DISABLED_OPTIMIZERS } from '../plan/optimizers.js'
import type { SqlStatement } from '../parse/ast.js'
import { engineFailureToDbError } from '../errors.js'
import { nullVector, type SessionWrites, type TransactionBudget } from './pending-writes.js'

/** Statements that change data or the catalog at once and that nothing undoes: their names as errors print them. */
const IRREVERSIBLE: ReadonlyMap<SqlStatement['kind'], string> = new Map<SqlStatement['kind'], string>([
  ['SqlDelete', 'DELETE'], ['SqlTruncate', 'TRUNCATE'], ['SqlDropTable', 'DROP'], ['SqlAlterTableColumns', 'ALTER TABLE'],
  ['SqlAlterTableOptions', 'ALTER TABLE'], ['SqlRename', 'ALTER TABLE … RENAME'],
])

const VIEWS = new WeakSet<Engine>()

function tableName(engine: Engine, tableId: TableId): string {
  return engine.tables().find((table) => table.id === tableId)?.name ?? String(tableId)
}

/** A scan the pending rows can be added to as they are: every row, no filter, grouping or limit (planned with optimizers off). */
function isPlainScan(op: ScanOp): boolean {
  return op.filters.length === 0 && (op.where ?? null) === null && op.groupBy.length === 0 && op.aggregates.length === 0 &&
    op.limit === null && op.timeRange.fromUs === Number.NEGATIVE_INFINITY && op.timeRange.toUs === Number.POSITIVE_INFINITY
}

/** The uncommitted rows of the scanned table as partials (as one more core's), projected as the scan asks. */
function pendingPartials(engine: Engine, writes: SessionWrites, op: ScanOp): RowsPartial[] {
  const table = engine.tables().find((candidate) => candidate.id === op.tableId)
  if (table === undefined) return []
  return writes.pendingBatches(op.tableId).map((batch) => ({
    kind: 'RowsPartial', rowCount: batch.rowCount,
    columns: op.projection.map((c) => batch.columns[c] ?? nullVector(table.columns[c]!.kind, batch.rowCount)),
  }))
}

async function* withPending(rows: AsyncIterable<RowsPartial>, pending: ReadonlyArray<RowsPartial>): AsyncGenerator<RowsPartial> {
  yield* rows
  yield* pending
}

/** The designated timestamp checks the engine makes when it writes, made when the rows are buffered: the same errors, at the INSERT. */
function checkDesignatedTimestamp(engine: Engine, op: IngestOp): void {
  const table = engine.tables().find((candidate) => candidate.id === op.tableId)
  if (table === undefined) throw engineFailureToDbError({ kind: 'NoSuchTable', detail: `table ${op.tableId} does not exist` })
  const ts = op.batch.columns[table.timestampIndex]
  if (ts?.kind !== 'timestamp') return
  for (let row = 0; row < op.batch.rowCount; row++) {
    const value = ts.values[row]!
    if (ts.nulls?.[row] === 1 || Number.isNaN(value)) throw engineFailureToDbError({ kind: 'InvalidBatch', detail: 'designated timestamp is null' })
    if (!Number.isFinite(value)) throw engineFailureToDbError({ kind: 'InvalidBatch', detail: INFINITE_DESIGNATED_TIMESTAMP })
  }
}

/**
 * The engine as a statement in the transaction sees it (one per statement; the same view when given one): IngestOps
 * are buffered; a plain scan of a table with uncommitted rows gets them as one more partial (read-your-writes); any
 * other op on such a table is refused, so nothing answers without them.
 */
function transactionEngine(engine: Engine, writes: SessionWrites, budget: TransactionBudget): Engine {
  if (VIEWS.has(engine)) return engine
  const refuse = (tableId: TableId): never => {
    throw featureNotSupportedMessage(`this statement on table "${tableName(engine, tableId)}" after writing it in the same transaction ` +
      'is not supported: its uncommitted rows cannot be merged into it (commit first)')
  }
  const execute = async (op: TimeseriesOp): Promise<unknown> => {
    if (op.kind === 'IngestOp') {
      checkDesignatedTimestamp(engine, op)
      writes.buffer(engine, budget, op.tableId, op.batch)
      return { kind: 'IngestResult', rowCount: op.batch.rowCount, lsn: asLsn(0) }
    }
    if (op.kind === 'CreateTableOp' || !writes.hasPendingRows(op.tableId)) return engine.execute(op)
    if (op.kind !== 'ScanOp' || !isPlainScan(op)) return refuse(op.tableId)
    const result = await engine.execute(op)
    return { ...result, partials: [...result.partials, ...pendingPartials(engine, writes, op)] }
  }
  const scanStream = (op: ScanOp, options?: ScanStreamOptions): AsyncIterable<RowsPartial> => {
    if (!writes.hasPendingRows(op.tableId)) return engine.scanStream(op, options)
    if (!isPlainScan(op) || options?.encoding !== undefined || options?.sort !== undefined) return refuse(op.tableId)
    // The rows pending now: a cursor declared now does not see rows its transaction writes later (PostgreSQL's snapshot).
    return withPending(engine.scanStream(op, options), pendingPartials(engine, writes, op))
  }
  const view = new Proxy(engine, {
    get(target, property) {
      if (property === 'execute') return execute
      if (property === 'scanStream') return scanStream
      // A commit of its own would bypass this transaction's buffer: COMMIT calls it on the engine itself.
      if (property === 'ingestAtomic') return undefined
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  VIEWS.add(view)
  return view
}

/** Statements that may read a table: planned with every optimizer off while the transaction has uncommitted rows. */
const READS: ReadonlySet<SqlStatement['kind']> = new Set<SqlStatement['kind']>([
  'SqlQuery', 'SqlInsert', 'SqlDelete', 'SqlCopy', 'SqlDeclareCursor', 'SqlExplain', 'SqlExecute',
])

/**
 * Runs `run` on the transaction's engine view with the statement's rules (see the file comment). While rows are
 * uncommitted, a reading statement is planned with nodedb.disabled_optimizers = 'all': its scans are then plain (every
 * row, no pushed filter or aggregate), so the uncommitted rows join them as they are and every operator above sees
 * them, exactly (the differential corpus checks that plans without optimizers give the same rows).
 */
export async function executeInTransaction(engine: Engine, ast: SqlStatement, session: SessionContext, budget: TransactionBudget,
  run: (engine: Engine) => Promise<StatementResult>): Promise<StatementResult> {
  const writes = session.writes!
  const irreversible = IRREVERSIBLE.get(ast.kind)
  if (irreversible !== undefined && writes.isInBlock) {
    throw featureNotSupportedMessage(`${irreversible} inside a transaction block is not supported: nodedb cannot undo it at ROLLBACK ` +
      '(run it outside BEGIN … COMMIT)')
  }
  const view = transactionEngine(engine, writes, budget)
  if (ast.kind === 'SqlCreateTable') return createTable(engine, writes, () => run(view))
  if (ast.kind === 'SqlCreateView') return createView(engine, writes, ast.name, () => run(view))
  const result = await (READS.has(ast.kind) && writes.hasAnyPendingRows ? withPlainPlans(session, () => run(view)) : run(view))
  if (irreversible !== undefined) writes.irreversible.push(irreversible)
  return result
}

async function withPlainPlans(session: SessionContext, run: () => Promise<StatementResult>): Promise<StatementResult> {
  const settings = session.settings
  const before = settings.get(SETTING_DISABLED_OPTIMIZERS)
  settings.set(SETTING_DISABLED_OPTIMIZERS, 'all')
  try {
    return await run()
  } finally {
    if (before === undefined) settings.delete(SETTING_DISABLED_OPTIMIZERS)
    else settings.set(SETTING_DISABLED_OPTIMIZERS, before)
  }
}

/** CREATE TABLE: ROLLBACK drops the table it made (none when IF NOT EXISTS found one). */
async function createTable(engine: Engine, writes: SessionWrites, run: () => Promise<StatementResult>): Promise<StatementResult> {
  const before = new Set(engine.tables().map((table) => table.id))
  const result = await run()
  for (const table of engine.tables()) {
    if (before.has(table.id)) continue
    writes.addUndo(engine, (target) => target.execute({ kind: 'DropTableOp', v: OP_VERSION, tableId: table.id }))
  }
  return result
}

/** CREATE [OR REPLACE] VIEW: ROLLBACK drops the view it made, or puts back the definition it replaced. */
async function createView(engine: Engine, writes: SessionWrites, name: string, run: () => Promise<StatementResult>): Promise<StatementResult> {
  const old: ViewSchema | undefined = engine.views?.().find((view) => view.name === name)
  const result = await run()
  writes.addUndo(engine, (target) => (old === undefined ? target.dropView!(name) : target.createView!(name, old.definition, true)))
  return result
}
