// sql/exec/column-default: column DEFAULT expressions. At CREATE TABLE / ALTER COLUMN SET DEFAULT a default is bound
// with PostgreSQL's rules (cookDefault: no column references, subqueries, parameters, aggregates, window or
// set-returning functions; assignable to the column type, else 42804), and stored in the catalog as PostgreSQL's
// deparsed text (ColumnSchema.default, opaque to the engine: sql/catalog/pg-attrdef.ts's ColumnDefault). A NULL default is no default, as
// PostgreSQL stores none. Inserts parse and bind the stored text again and evaluate it per row (volatile functions
// per row; now() is the statement's timestamp, one value for the whole INSERT or COPY).
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { DbError, dataCorrupted, datatypeMismatch, featureNotSupportedMessage, undefinedParameter } from '../../src/common/errors.js'
import { COLUMN_DEFAULT_VERSION, columnDefault, defaultTextIn, type ColumnDefault } from '../catalog/pg-attrdef.js'
import type { SessionContext, SqlValue } from '../api.js'
import { bindExpr, type BindContext } from '../bind/bind-expr.js'
import { columnType } from '../bind/catalog.js'
import { coerce } from '../bind/coerce.js'
import type { Expr } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import { canImplicitlyCast, categoryOf, formatName } from '../bind/type-rules.js'
import { sqlType, type SqlType } from '../bind/types.js'
import type { SqlExpr } from '../parse/ast.js'
import { parseSql } from '../parse/parse-sql.js'
import { Planner } from '../plan/planner.js'
import { deparseDefault } from './default-deparse.js'
import { evaluate } from './evaluate.js'
import { newExecEnv } from './exec-env.js'
import { functionContext } from './query.js'
import { castTyped } from './value-ops.js'

/** The clause name PostgreSQL's errors use ("aggregate functions are not allowed in DEFAULT expressions"). */
const CLAUSE = 'DEFAULT expressions'
const SEQUENCE_FUNCTIONS: ReadonlySet<string> = new Set(['nextval', 'currval', 'setval', 'lastval'])

/** transformExpr's refusals for EXPR_KIND_COLUMN_DEFAULT, at the first offending node by position. */
function refuseForbidden(expr: SqlExpr): void {
  const found: Array<{ pos: number; error: () => DbError }> = []
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    if (Array.isArray(value)) { value.forEach(visit); return }
    const node = value as { kind?: unknown; pos?: unknown; name?: unknown; index?: unknown; query?: unknown }
    const pos = typeof node.pos === 'number' ? node.pos : 0
    const at = (error: () => DbError): void => { found.push({ pos, error }) }
    if (node.kind === 'ExprColumn' || node.kind === 'ExprStar') at(() => withPosition(featureNotSupportedMessage('cannot use column reference in DEFAULT expression'), pos))
    else if (node.kind === 'ExprSubquery' || node.kind === 'ExprExists' || node.kind === 'ExprInSubquery' || (node.kind === 'ExprQuantified' && node.query !== null)) {
      at(() => withPosition(featureNotSupportedMessage('cannot use subquery in DEFAULT expression'), pos))
      return
    } else if (node.kind === 'ExprParam') at(() => undefinedParameter(Number(node.index), pos + 1))
    else if (node.kind === 'ExprCall' && typeof node.name === 'string' && SEQUENCE_FUNCTIONS.has(node.name)) {
      at(() => withPosition(featureNotSupportedMessage(`${node.name as string}() is not supported: nodedb has no sequences`), pos))
    }
    for (const inner of Object.values(value)) visit(inner)
  }
  visit(expr)
  const first = found.sort((a, b) => a.pos - b.pos)[0]
  if (first !== undefined) throw first.error()
}

function withPosition(error: DbError, pos: number): DbError {
  return new DbError({ ...error, message: error.message, position: pos + 1 })
}

/** find_coercion_pathway in COERCION_ASSIGNMENT: implicit casts, plus numeric narrowing, I/O to strings, datetimes. */
function isAssignable(from: SqlType, to: SqlType): boolean {
  if (canImplicitlyCast(from.name, to.name)) return true
  const source = categoryOf(from.name)
  const target = categoryOf(to.name)
  if (target === 'S') return true
  if (source === target && (source === 'N' || source === 'D')) return true
  return (source === 'J' && target === 'K') || (source === 'K' && target === 'J')
}

function defaultContext(engine: Engine): BindContext {
  return new Planner(engine, [], () => undefined).bindContext(new Scope([], null), CLAUSE)
}

/**
 * cookDefault: the column's stored default for DEFAULT `expr`, or null when it is a NULL constant (PostgreSQL stores
 * no pg_attrdef row for it). Throws PostgreSQL's errors, and 0A000 for a shape nodedb cannot store exactly.
 */
export function cookDefault(engine: Engine, session: SessionContext, column: { readonly name: string }, type: SqlType, expr: SqlExpr): ColumnDefault | null {
  refuseForbidden(expr)
  const ctx = defaultContext(engine)
  const bound = bindExpr(ctx, expr)
  if (bound.type.name !== 'unknown' && !isAssignable(bound.type, type)) {
    throw new DbError({
      ...datatypeMismatch(`column "${column.name}" is of type ${formatName(type)} but default expression is of type ${formatName(bound.type)}`),
      hint: 'You will need to rewrite or cast the expression.',
    })
  }
  // A literal is read without the column's modifier, as coerce_type does ('abcdef' for varchar(3) fails at INSERT).
  const coerced = coerce(ctx, bound, sqlType(type.name))
  if (coerced.kind === 'Const' && coerced.value === null) return null
  const { plain, pretty } = deparseDefault(ctx, functionContext(session, engine), expr, type)
  const stored: ColumnDefault = { v: COLUMN_DEFAULT_VERSION, expr: plain, pretty }
  // Every INSERT reads the stored text back: one that would not is refused now, not found out at the next INSERT.
  try {
    coerce(ctx, bindExpr(ctx, parsedDefault(stored)), type)
  } catch (thrown) {
    if (!(thrown instanceof DbError)) throw thrown
    throw featureNotSupportedMessage(`DEFAULT ${defaultTextIn(plain, 'UTC')} is not supported: nodedb cannot read its stored text back (${thrown.message})`)
  }
  return stored
}

/** The stored text parsed back into an expression (`SELECT <text>`'s one item; the parse is cached by text). */
function parsedDefault(stored: ColumnDefault): SqlExpr {
  const ast = parseSql(`SELECT ${defaultTextIn(stored.expr, 'UTC')}`)[0]?.parsed.ast
  const body = ast?.kind === 'SqlQuery' ? ast.body : undefined
  const item = body?.kind === 'SqlSelectCore' && body.items.length === 1 ? body.items[0] : undefined
  if (item === undefined) throw dataCorrupted(`the catalog's default "${stored.expr}" does not parse as one expression`)
  return item.expr
}

/**
 * Each column's default bound for evaluation, coerced to the column's type (null: no default, the column gets NULL).
 * Dropped columns have none.
 */
export function boundDefaults(engine: Engine, table: TableSchema): Array<Expr | null> {
  let ctx: BindContext | null = null
  return table.columns.map((column, index) => {
    const stored = columnDefault(column)
    if (stored === null) return null
    ctx ??= defaultContext(engine)
    return coerce(ctx, bindExpr(ctx, parsedDefault(stored)), columnType(table, index))
  })
}

/** True when the default reads nothing that changes between rows (no volatile function): evaluated once. */
export function isStableDefault(expr: Expr): boolean {
  const visit = (node: Expr): boolean => {
    if (node.kind === 'Call' && node.fn.volatility === 'volatile') return false
    return Object.values(node).every((value) => {
      if (Array.isArray(value)) return value.every((item) => typeof item !== 'object' || item === null || !('kind' in item) || visit(item as Expr))
      return typeof value !== 'object' || value === null || !('kind' in value) || typeof (value as { kind: unknown }).kind !== 'string' || visit(value as Expr)
    })
  }
  return visit(expr)
}

/**
 * COPY t (cols) FROM: the values of the defaults of the columns the COPY leaves out (undefined for the others),
 * evaluated once for the whole COPY as PostgreSQL's now() is per transaction, and the columns whose default is
 * volatile (random()): those get one value per row after parsing (ingest-defaults.ts's fillDefaults), their value
 * here only stands in for the NOT NULL check of the parse.
 */
export function copyDefaults(engine: Engine, session: SessionContext, table: TableSchema, targets: ReadonlyArray<number>): { values: Array<SqlValue | undefined>; volatile: number[] } {
  const named = new Set(targets)
  const values = new Array<SqlValue | undefined>(table.columns.length).fill(undefined)
  const volatile: number[] = []
  if (table.columns.every((column, index) => named.has(index) || columnDefault(column) === null)) return { values, volatile }
  const env = newExecEnv(engine, [], functionContext(session, engine), session)
  boundDefaults(engine, table).forEach((expr, index) => {
    if (expr === null || named.has(index)) return
    if (!isStableDefault(expr)) volatile.push(index)
    values[index] = castTyped(evaluate(expr, [], [], env), expr.type, columnType(table, index), env.functions)
  })
  return { values, volatile }
}
