// sql/exec/transaction-statement: one statement run inside a transaction (SessionContext.writes). It sees the engine
// through a view that keeps IngestOps for COMMIT and refuses (0A000) any op on a table with uncommitted rows of this
// transaction, so no read, DELETE or DDL answers without them. Statements nothing can undo are refused inside a BEGIN
// block; CREATE TABLE and CREATE VIEW run at once and leave their undo.
import type { Engine, ScanStreamOptions, ViewSchema } from '../../engine/api.js'
import { OP_VERSION, type ScanOp, type TimeseriesOp } from '../../engine/ops.js'
import { asLsn, type TableId } from '../../src/common/ids.js'
import { featureNotSupportedMessage } from '../../src/common/errors.js'
import type { StatementResult } from '../api.js'
import type { SqlStatement } from '../parse/ast.js'
import type { SessionWrites, TransactionBudget } from './pending-writes.js'

/** Statements that change data or the catalog at once and that nothing undoes: their names as errors print them. */
const IRREVERSIBLE: ReadonlyMap<SqlStatement['kind'], string> = new Map<SqlStatement['kind'], string>([
  ['SqlDelete', 'DELETE'], ['SqlTruncate', 'TRUNCATE'], ['SqlDropTable', 'DROP'], ['SqlAlterTableColumns', 'ALTER TABLE'],
  ['SqlAlterTableOptions', 'ALTER TABLE'], ['SqlRename', 'ALTER TABLE … RENAME'],
])

const VIEWS = new WeakSet<Engine>()

function tableName(engine: Engine, tableId: TableId): string {
  return engine.tables().find((table) => table.id === tableId)?.name ?? String(tableId)
}

/** The engine as a statement in the transaction sees it (one per statement; the same view when given one). */
function transactionEngine(engine: Engine, writes: SessionWrites, budget: TransactionBudget): Engine {
  if (VIEWS.has(engine)) return engine
  const refuse = (tableId: TableId): void => {
    if (!writes.hasPendingRows(tableId)) return
    throw featureNotSupportedMessage(`reading table "${tableName(engine, tableId)}" after writing it in the same transaction is not supported: ` +
      'its uncommitted rows are not merged into reads (commit first)')
  }
  const execute = (op: TimeseriesOp): Promise<unknown> => {
    if (op.kind === 'IngestOp') {
      writes.buffer(engine, budget, op.tableId, op.batch)
      return Promise.resolve({ kind: 'IngestResult', rowCount: op.batch.rowCount, lsn: asLsn(0) })
    }
    if (op.kind !== 'CreateTableOp') refuse(op.tableId)
    return engine.execute(op)
  }
  const view = new Proxy(engine, {
    get(target, property) {
      if (property === 'execute') return execute
      if (property === 'scanStream') return (op: ScanOp, options?: ScanStreamOptions) => { refuse(op.tableId); return target.scanStream(op, options) }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  VIEWS.add(view)
  return view
}

/** Runs `run` on the transaction's engine view with the statement's rules (see the file comment). */
export async function executeInTransaction(engine: Engine, ast: SqlStatement, writes: SessionWrites, budget: TransactionBudget,
  run: (engine: Engine) => Promise<StatementResult>): Promise<StatementResult> {
  const irreversible = IRREVERSIBLE.get(ast.kind)
  if (irreversible !== undefined && writes.isInBlock) {
    throw featureNotSupportedMessage(`${irreversible} inside a transaction block is not supported: nodedb cannot undo it at ROLLBACK ` +
      '(run it outside BEGIN … COMMIT)')
  }
  const view = transactionEngine(engine, writes, budget)
  if (ast.kind === 'SqlCreateTable') return createTable(engine, writes, () => run(view))
  if (ast.kind === 'SqlCreateView') return createView(engine, writes, ast.name, () => run(view))
  const result = await run(view)
  if (irreversible !== undefined) writes.irreversible.push(irreversible)
  return result
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
