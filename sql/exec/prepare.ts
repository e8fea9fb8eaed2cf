// sql/exec/prepare: SQL-level PREPARE / EXECUTE and DECLARE CURSOR. Prepared statements and portals live in wire
// (one namespace with the protocol's Parse and Bind, as in PostgreSQL): PREPARE hands its statement to the session's
// registry, EXECUTE finds it there and runs it with its arguments evaluated as its parameter types, and DECLARE runs
// its query and hands the open result (a stream stays a stream) to wire as a portal.
import type { Engine } from '../../engine/api.js'
import { assert } from '../../src/common/assert.js'
import { invalidStatementName, noActiveSqlTransaction, undefinedParameter, wrongParameterCount } from '../../src/common/errors.js'
import type { PreparedStatement, SessionContext, SqlValue, StatementDescription, StatementResult } from '../api.js'
import { bindExpr } from '../bind/bind-expr.js'
import { coerce } from '../bind/coerce.js'
import { Scope } from '../bind/scope.js'
import { resolveTypeName, sqlType, typeOid, type SqlType } from '../bind/types.js'
import type { ParsedStatement, SqlDeclareCursor, SqlExecute, SqlPrepare } from '../parse/ast.js'
import { Planner } from '../plan/planner.js'
import { evaluate } from './evaluate.js'
import { newExecEnv } from './exec-env.js'
import { typeOfOid } from './params.js'
import { executeQuery, functionContext } from './query.js'
import { castTyped } from './value-ops.js'

/** The parameter types a statement will run with, given its declared OIDs (sql.ts's describe). */
export type DescribeParsed = (statement: PreparedStatement, declaredOids: ReadonlyArray<number>) => StatementDescription | Promise<StatementDescription>
/** Runs a parsed statement with values already of its settled parameter types (sql.ts's dispatcher). */
export type RunParsed = (statement: PreparedStatement, declaredOids: ReadonlyArray<number>, values: ReadonlyArray<SqlValue>) => Promise<StatementResult>

/** The PreparedStatement wire keeps for parsed text (sql.ts's parse) or a PREPAREd statement. */
export function toPreparedStatement(text: string, parsed: ParsedStatement): PreparedStatement {
  const kind = parsed.ast.kind
  const fetch = parsed.ast.kind === 'SqlFetch' ? parsed.ast : null
  return {
    kind: 'PreparedStatement',
    text,
    paramCount: parsed.paramCount,
    transaction: transactionOf(parsed),
    ...(fetch === null ? {} : { cursorFetch: { cursor: fetch.cursor, count: fetch.count, isMove: fetch.isMove } }),
    isReadOnly: kind === 'SqlQuery' || kind === 'SqlShow' || kind === 'SqlExplain' || kind === 'SqlFetch',
    isAnalyzedAtParse: kind === 'SqlQuery' || kind === 'SqlInsert' || kind === 'SqlDelete',
    parsed,
  }
}

function transactionOf(parsed: ParsedStatement): PreparedStatement['transaction'] {
  const ast = parsed.ast
  if (ast.kind === 'SqlTransaction') return ast.action
  return ast.kind === 'SqlSavepoint' && ast.action === 'rollbackTo' ? 'rollbackTo' : null
}

/**
 * PREPARE: the statement is analysed now, as PostgreSQL does (an unknown table fails the PREPARE), and registered
 * under its name with the declared parameter types (the rest are inferred when it is described).
 */
export async function executePrepare(ast: SqlPrepare, text: string, session: SessionContext, describe: DescribeParsed): Promise<StatementResult> {
  const registry = session.preparedStatements
  assert(registry !== undefined, 'wire sets SessionContext.preparedStatements')
  const declaredOids = ast.paramTypes.map((type) => typeOid(resolveTypeName(type)))
  const statement = toPreparedStatement(text, ast.statement)
  const described = statement.isAnalyzedAtParse === true ? await describe(statement, declaredOids) : null
  registry.add(ast.name, statement, declaredOids, described?.paramTypeOids ?? declaredOids)
  return { kind: 'CommandResult', commandTag: 'PREPARE' }
}

/**
 * EXECUTE name (args): 26000 for no such statement, 42P02 for a $n, 42601 for a wrong argument count; each argument is bound as its
 * parameter's type (unknown literals take it, others are cast as INSERT casts its values) and evaluated, then
 * the statement runs and answers with its own result (rows, 'INSERT 0 n', …).
 */
export async function executeExecute(engine: Engine, ast: SqlExecute, outerTypes: Array<SqlType | null>,
  outerValues: (types: ReadonlyArray<SqlType | null>) => ReadonlyArray<SqlValue>, session: SessionContext,
  hooks: { readonly describe: DescribeParsed; readonly run: RunParsed }): Promise<StatementResult> {
  const found = session.preparedStatements?.find(ast.name, true) ?? null
  if (found === null) throw invalidStatementName(ast.name)
  if (ast.argParamMax > 0) throw undefinedParameter(ast.argParamMax)
  const { paramTypeOids } = await hooks.describe(found.statement, found.declaredOids)
  if (paramTypeOids.length !== ast.args.length) throw wrongParameterCount(ast.name, paramTypeOids.length, ast.args.length)
  const targets = paramTypeOids.map((oid) => typeOfOid(oid) ?? sqlType('text'))
  const planner = new Planner(engine, outerTypes, () => undefined)
  const ctx = planner.bindContext(new Scope([], null), 'EXECUTE parameter')
  const exprs = ast.args.map((arg, index) => coerce(ctx, bindExpr(ctx, arg), targets[index] ?? sqlType('text')))
  const env = newExecEnv(engine, outerValues(outerTypes), functionContext(session, engine), session)
  const values = exprs.map((expr, index) => castTyped(evaluate(expr, [], [], env), expr.type, targets[index] ?? sqlType('text'), env.functions))
  return hooks.run(found.statement, found.declaredOids, values)
}

/** Describe of EXECUTE: the prepared statement's columns; the arguments are bound so a bad one fails here too. */
export async function describeExecute(engine: Engine, ast: SqlExecute, outerTypes: Array<SqlType | null>, session: SessionContext,
  describe: DescribeParsed): Promise<StatementDescription['fields']> {
  const found = session.preparedStatements?.find(ast.name) ?? null
  if (found === null) throw invalidStatementName(ast.name)
  if (ast.argParamMax > 0) throw undefinedParameter(ast.argParamMax)
  const inner = await describe(found.statement, found.declaredOids)
  if (inner.paramTypeOids.length !== ast.args.length) throw wrongParameterCount(ast.name, inner.paramTypeOids.length, ast.args.length)
  const ctx = new Planner(engine, outerTypes, () => undefined).bindContext(new Scope([], null), 'EXECUTE parameter')
  ast.args.forEach((arg, index) => coerce(ctx, bindExpr(ctx, arg), typeOfOid(inner.paramTypeOids[index] ?? 0) ?? sqlType('text')))
  return inner.fields
}

/**
 * DECLARE: 25P01 outside a transaction block unless WITH HOLD (PostgreSQL's rule); the query runs now and its open
 * result goes to wire, which keeps it as a portal (42P03 if the name is taken). A streamed scan stays a stream.
 */
export async function executeDeclare(engine: Engine, ast: SqlDeclareCursor, types: Array<SqlType | null>, values: ReadonlyArray<SqlValue>,
  session: SessionContext): Promise<StatementResult> {
  if (!ast.isHold && session.transaction === undefined) throw noActiveSqlTransaction('DECLARE CURSOR')
  const rows = await executeQuery(engine, ast.query, types, values, session)
  assert(rows.kind === 'RowsResult' || rows.kind === 'RowStreamResult', 'a query answers rows')
  return {
    kind: 'CommandResult', commandTag: 'DECLARE CURSOR',
    sessionEffect: { kind: 'DeclareCursor', name: ast.name, isBinary: ast.isBinary, isHold: ast.isHold, rows },
  }
}
