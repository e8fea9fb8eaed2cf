// sql/sql: createSql(engine) — the SqlFacade wire calls. Parses Query text into statements (cached by text),
// describes them and runs them against the engine. Holds no state of its own: the catalog is engine.tables(),
// settings live in the session.
import type { Engine } from '../engine/api.js'
import { assert, assertNever } from '../src/common/assert.js'
import type { ParamValue, PreparedStatement, SessionContext, SqlFacade, SqlValue, StatementDescription, StatementResult } from './api.js'
import { sqlType, typeOid, type SqlType } from './bind/types.js'
import { catalogLookup } from './catalog/catalog-lookup.js'
import { executeAlterTableOptions } from './exec/alter-table.js'
import { executeCopy } from './exec/copy.js'
import { executeCreateTable } from './exec/create-table.js'
import { bindDelete, executeDelete } from './exec/delete.js'
import { explainField, explainQuery } from './exec/explain.js'
import { describeExecute, executeDeclare, executeExecute, executePrepare, toPreparedStatement } from './exec/prepare.js'
import { bindInsert, executeInsert, returningFields } from './exec/insert.js'
import { SESSION_DEPENDENT_TEXT, checkBinaryParamSize, decodeParams, initialParamTypes, settleParamTypes, typeOfOid } from './exec/params.js'
import { describeQuery, executeQuery, functionContext } from './exec/query.js'
import { executeAlterTableColumns, executeRename, executeTruncate } from './exec/table-ddl.js'
import { executeCreateView, executeDrop } from './exec/view-ddl.js'
import {
  executeClose, executeDeallocate, executeDiscard, executeSavepoint, executeSet, executeShow, executeTransaction, showFields,
} from './exec/utility.js'
import { executeNotification } from './exec/notifications.js'
import { inBindParam, numberedUnreadBytes } from '../src/common/bind-param-errors.js'
import { withEngineErrors } from './errors.js'
import { TransactionBudget } from './exec/pending-writes.js'
import { executeInTransaction } from './exec/transaction-statement.js'
import { TRANSACTION_BUFFER_BYTES_TOTAL_MAX, TRANSACTION_BUFFER_MB_DEFAULT } from '../src/common/limits.js'
import { ingestBatches } from './ingest/ingest.js'
import type { ParsedStatement, SqlStatement } from './parse/ast.js'
import { parseSql, type ParsedSlice } from './parse/parse-sql.js'
import { isParserLoaded, loadParser } from './parse/adapter.js'

function isParsedStatement(value: unknown): value is ParsedStatement {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'ParsedStatement'
}

function parsedOf(statement: PreparedStatement): ParsedStatement {
  const parsed = statement.parsed
  assert(isParsedStatement(parsed), 'PreparedStatement.parsed comes from sql.parse()')
  return parsed
}

// A cached parse result is the same (immutable) array each time its text comes again, so are its PreparedStatements.
const PREPARED_BY_SLICES = new WeakMap<ReadonlyArray<ParsedSlice>, ReadonlyArray<PreparedStatement>>()

function parse(text: string): ReadonlyArray<PreparedStatement> {
  const slices = parseSql(text)
  let prepared = PREPARED_BY_SLICES.get(slices)
  if (prepared === undefined) {
    prepared = slices.map((slice) => toPreparedStatement(slice.text, slice.parsed))
    PREPARED_BY_SLICES.set(slices, prepared)
  }
  return prepared
}

/** Values of a statement's parameters once their types are settled (Bind's values, or EXECUTE's evaluated arguments). */
type ValuesOf = (types: ReadonlyArray<SqlType | null>) => ReadonlyArray<SqlValue>

/** Describe: answered at once except for EXECUTE, which describes its prepared statement (that may wait). */
function describe(engine: Engine, statement: PreparedStatement, declared: ReadonlyArray<number>,
  session: SessionContext): StatementDescription | Promise<StatementDescription> {
  const parsed = parsedOf(statement)
  const types = initialParamTypes(parsed.paramCount, declared)
  const ast = parsed.ast
  const settled = (fields: StatementDescription['fields']): StatementDescription =>
    ({ paramTypeOids: settleParamTypes(parsed.paramCount, types).map(typeOid), fields })
  if (ast.kind === 'SqlExecute') {
    return describeExecute(engine, ast, types, session, (inner, oids) => describe(engine, inner, oids, session)).then(settled)
  }
  return settled(describeFields(engine, ast, types, session))
}

function describeFields(engine: Engine, ast: Exclude<SqlStatement, { kind: 'SqlExecute' }>, types: Array<SqlType | null>,
  session: SessionContext): StatementDescription['fields'] {
  let fields: StatementDescription['fields'] = null
  switch (ast.kind) {
    case 'SqlQuery': fields = describeQuery(engine, ast, types); break
    case 'SqlExplain': fields = [explainField(ast.options)]; break
    case 'SqlInsert': fields = returningFields(bindInsert(engine, ast, types)); break
    case 'SqlShow': executeShow(ast, session, engine); fields = showFields(ast.name); break
    case 'SqlCreateTable': case 'SqlSet': case 'SqlTransaction': case 'SqlDiscard': case 'SqlAlterTableOptions': case 'SqlCheckpoint': break
    case 'SqlDeallocate': case 'SqlClose': case 'SqlNotification': case 'SqlPrepare': case 'SqlSavepoint': case 'SqlFetch': break
    case 'SqlDeclareCursor': describeQuery(engine, ast.query, types); break
    case 'SqlDropTable': case 'SqlTruncate': case 'SqlAlterTableColumns': case 'SqlRename': case 'SqlCopy': case 'SqlCreateView': break
    case 'SqlDelete': bindDelete(engine, ast, types); break
    default: assertNever(ast)
  }
  return fields
}

async function execute(engine: Engine, statement: PreparedStatement, params: ReadonlyArray<ParamValue>,
  declared: ReadonlyArray<number>, session: SessionContext, budget: TransactionBudget): Promise<StatementResult> {
  const paramCount = parsedOf(statement).paramCount
  return executeCounted(engine, statement, declared, (types) => {
    const settled = settleParamTypes(paramCount, types)
    // Text dates and timestamps read by the session's TimeZone and DateStyle; other types need no session.
    const timeContext = settled.some((type) => SESSION_DEPENDENT_TEXT.has(type.name)) ? functionContext(session) : undefined
    return decodeParams(params, settled, catalogLookup(engine), timeContext)
  }, session, budget)
}

/**
 * Runs a statement: in autocommit straight on the engine; inside a transaction (SessionContext.writes, set by wire) on
 * its view, where writes wait for COMMIT and statements follow the transaction's rules (transaction-statement.ts).
 */
async function executeCounted(engine: Engine, statement: PreparedStatement, declared: ReadonlyArray<number>, valuesOf: ValuesOf,
  session: SessionContext, budget: TransactionBudget): Promise<StatementResult> {
  const writes = session.writes
  // A read with no uncommitted rows about (every extended-protocol SELECT outside a block) needs no view either.
  const isPlain = writes === undefined || !writes.isInTransaction || (writes.isEmpty && statement.isReadOnly === true)
  if (isPlain) return executeParsed(engine, statement, declared, valuesOf, session, budget)
  return executeInTransaction(engine, parsedOf(statement).ast, session, budget,
    (view) => executeParsed(view, statement, declared, valuesOf, session, budget))
}

async function executeParsed(engine: Engine, statement: PreparedStatement, declared: ReadonlyArray<number>, valuesOf: ValuesOf,
  session: SessionContext, budget: TransactionBudget): Promise<StatementResult> {
  const parsed = parsedOf(statement)
  const types = initialParamTypes(parsed.paramCount, declared)
  const ast = parsed.ast
  switch (ast.kind) {
    case 'SqlQuery': {
      // $n types must be known before the values are decoded: only a statement with an undeclared one is planned twice.
      if (types.some((type) => type === null)) describeQuery(engine, ast, types)
      return executeQuery(engine, ast, types, valuesOf(types), session)
    }
    case 'SqlExplain': return explainQuery(engine, ast, types, session)
    case 'SqlInsert': {
      const bound = bindInsert(engine, ast, types)
      return executeInsert(engine, bound, valuesOf(types), session)
    }
    case 'SqlCreateTable': return executeCreateTable(engine, ast, session)
    case 'SqlSet': return executeSet(ast, session)
    case 'SqlShow': return executeShow(ast, session, engine)
    case 'SqlTransaction': return executeTransaction(ast)
    case 'SqlSavepoint': return executeSavepoint(ast)
    case 'SqlDiscard': return executeDiscard(ast, session)
    case 'SqlDeallocate': return executeDeallocate(ast)
    case 'SqlClose': return executeClose(ast)
    case 'SqlNotification': return executeNotification(ast, session)
    case 'SqlAlterTableOptions': return executeAlterTableOptions(engine, ast)
    case 'SqlDropTable': return executeDrop(engine, ast)
    case 'SqlCreateView': return executeCreateView(engine, ast)
    case 'SqlTruncate': return executeTruncate(engine, ast)
    case 'SqlAlterTableColumns': return executeAlterTableColumns(engine, ast, session)
    case 'SqlRename': return executeRename(engine, ast)
    case 'SqlCopy': return executeCopy(engine, ast, session)
    case 'SqlDelete': {
      bindDelete(engine, ast, types) // infers the $n types the values are decoded as
      return executeDelete(engine, ast, types, valuesOf(types), session)
    }
    case 'SqlCheckpoint': {
      await withEngineErrors(() => engine.flushAll())
      return { kind: 'CommandResult', commandTag: 'CHECKPOINT' }
    }
    case 'SqlPrepare': return executePrepare(ast, statement.text, session, (inner, oids) => describe(engine, inner, oids, session))
    case 'SqlExecute': return executeExecute(engine, ast, types, valuesOf, session, {
      describe: (inner, oids) => describe(engine, inner, oids, session),
      run: (inner, oids, values) => executeCounted(engine, inner, oids, () => values, session, budget).then(notConstant),
    })
    case 'SqlDeclareCursor': {
      if (types.some((type) => type === null)) describeQuery(engine, ast.query, types)
      return executeDeclare(engine, ast, types, valuesOf(types), session)
    }
    case 'SqlFetch': throw new Error('FETCH and MOVE are answered by wire from its portal (PreparedStatement.cursorFetch)')
    default: return assertNever(ast)
  }
}

/** EXECUTE answers whatever the session prepared under that name: its text alone never decides its answer. */
function notConstant(result: StatementResult): StatementResult {
  return result.kind === 'RowsResult' && result.isConstant === true ? { ...result, isConstant: false } : result
}

export interface SqlOptions {
  /** --transaction-buffer-mb: uncommitted rows one session may hold, bytes (TRANSACTION_BUFFER_MB_DEFAULT). */
  readonly transactionBufferBytes?: number
}

export function createSql(engine: Engine, options: SqlOptions = {}): SqlFacade {
  const budget = new TransactionBudget(options.transactionBufferBytes ?? TRANSACTION_BUFFER_MB_DEFAULT * 2 ** 20, TRANSACTION_BUFFER_BYTES_TOTAL_MAX)
  return {
    parse,
    parserLoading: () => isParserLoaded() ? undefined : loadParser(),
    describe: (statement, declared, session) => describe(engine, statement, declared, session),
    checkParams: (oids, params, session, portal = '') => {
      const catalog = catalogLookup(engine)
      let timeContext: ReturnType<typeof functionContext> | undefined
      for (const [index, param] of params.entries()) {
        const type = typeOfOid(oids[index] ?? 0) ?? sqlType('text')
        // Text dates, timestamps and intervals are read by the session's settings; without them the rest is left to
        // execute, so the first bad value in order is the one reported, as PostgreSQL reports it.
        const isSessionText = typeof param === 'string' && SESSION_DEPENDENT_TEXT.has(type.name)
        if (isSessionText && session === undefined) return
        if (isSessionText) timeContext ??= functionContext(session!)
        try {
          if (param instanceof Uint8Array) checkBinaryParamSize(param, type, index)
          decodeParams([param], [type], catalog, isSessionText ? timeContext : undefined)
        } catch (error) {
          throw inBindParam(numberedUnreadBytes(error, index), portal, index, typeof param === 'string' ? param : null)
        }
      }
    },
    execute: (statement, params, declared, session) => execute(engine, statement, params, declared, session, budget),
    ingest: (batches, options) => {
      // The first write starts the parser's load too (not awaited): the ~45 MiB its compile frees is then reused as
      // the ingest grows, where a first query at the end of a bulk load would add it on top (issue 10).
      if (!isParserLoaded()) loadParser().catch(() => undefined)
      return ingestBatches(engine, batches, options)
    },
  }
}
