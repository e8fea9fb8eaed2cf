// sql/exec/insert: INSERT INTO t [(cols)] VALUES … | query → IngestOp. VALUES expressions are bound against the target
// columns' types (which is how $n types are inferred); a query's rows are cast to them. Columns left out (and DEFAULT
// in a VALUES row) take their DEFAULT (column-default.ts), else NULL. NOT NULL is checked, and
// the rows are packed into one ColumnBatch (one WAL record: the whole INSERT is atomic). RETURNING is a select list
// evaluated over each inserted row once it is durable.
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { featureNotSupported, notNullViolation, syntaxError, undefinedColumn } from '../../src/common/errors.js'
import type { FieldDescription, SessionContext, SqlValue, StatementResult } from '../api.js'
import { bindExpr, type BindContext } from '../bind/bind-expr.js'
import { columnType, findColumn, requireTable, tableOid, visibleColumns } from '../bind/catalog.js'
import { coerce } from '../bind/coerce.js'
import { someExpr, type Expr } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import { sqlType, type SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlExpr, SqlInsert, SqlSelectItem } from '../parse/ast.js'
import type { PlanNode } from '../plan/plan-node.js'
import { Planner } from '../plan/planner.js'
import { expandItems, type SelectItemBound } from '../plan/plan-select.js'
import { buildBatch, columnsOfRows } from './build-batch.js'
import { evaluate } from './evaluate.js'
import { newExecEnv, type ExecEnv } from './exec-env.js'
import { fieldOf, functionContext } from './query.js'
import { printRegColumns } from '../catalog/reg-cast.js'
import { decimalToFloat8, parseNumeric } from '../functions/numeric-ops.js'
import { plainDecimal } from './copy-rows.js'
import { runPlan } from './run-plan.js'
import { castTyped } from './value-ops.js'
import { boundDefaults, isStableDefault } from './column-default.js'

export interface BoundInsert {
  readonly table: TableSchema
  readonly targets: ReadonlyArray<number>
  readonly targetTypes: ReadonlyArray<SqlType>
  readonly rows: ReadonlyArray<ReadonlyArray<Expr>>
  readonly query: PlanNode | null
  /** The columns no target names that have a DEFAULT, each with its bound default (column-default.ts). */
  readonly defaults: ReadonlyArray<OmittedDefault>
  /** RETURNING's items over a whole table row (slot = column index); null without RETURNING. */
  readonly returning: ReadonlyArray<SelectItemBound> | null
}

/** RETURNING bound over the table's visible columns, as a select list over the inserted row (no aggregates). */
function bindReturning(planner: Planner, table: TableSchema, items: ReadonlyArray<SqlSelectItem> | undefined): SelectItemBound[] | null {
  if (items === undefined) return null
  const oid = tableOid(table)
  const scope = new Scope(visibleColumns(table).map(({ index, column }) => ({
    qualifier: table.name, name: column.name, type: columnType(table, index), slot: index, tableOid: oid, columnAttr: index + 1,
  })), null)
  const bound = expandItems(planner.bindContext(scope, 'RETURNING'), items)
  if (bound.some((item) => someExpr(item.expr, (e) => e.kind === 'Subquery'))) throw featureNotSupported('a subquery in RETURNING')
  return bound
}

/** The RowDescription of INSERT … RETURNING (null without it). */
export function returningFields(bound: BoundInsert): ReadonlyArray<FieldDescription> | null {
  return bound.returning === null ? null : bound.returning.map((item) => fieldOf({ name: item.name, type: item.expr.type, ...item.origin }))
}

const UNKNOWN = sqlType('unknown')

/**
 * A float8 literal as the general path computes it: numeric_in's value, then numeric → float8 as Number of its
 * decimal text. Number is correctly rounded, so Number of the literal as written (digits, a dot, an exponent) is the
 * same double; undefined where the general path must decide (any other text).
 */
function float8Literal(expr: SqlExpr): number | undefined {
  const isNegative = expr.kind === 'ExprUnary' && expr.op === '-'
  const inner = expr.kind === 'ExprUnary' && (expr.op === '-' || expr.op === '+') ? expr.expr : expr
  if (inner.kind !== 'ExprNumber') return undefined
  const value = plainDecimal(inner.text) ?? (isDecimalText(inner.text) ? Number(inner.text) : Number.NaN)
  if (Number.isNaN(value)) return undefined
  // Beyond float8's range (overflow, or a nonzero literal that rounds to 0): 22003, as numeric → float8 raises it.
  if (!Number.isFinite(value) || (value === 0 && hasNonzeroDigit(inner.text))) return decimalToFloat8(parseNumeric(`${isNegative ? '-' : ''}${inner.text}`))
  // numeric has no negative zero: -0.0 is 0, and so is its float8.
  if (value === 0) return 0
  return isNegative ? -value : value
}

/** A digit 1-9 before any exponent. */
function hasNonzeroDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 101 || c === 69) return false
    if (c >= 49 && c <= 57) return true
  }
  return false
}

/** Digits, dots, exponent marks and signs only (what a numeric literal is made of), starting with a digit or dot. */
function isDecimalText(text: string): boolean {
  const first = text.charCodeAt(0)
  if (!(first >= 48 && first <= 57) && first !== 46) return false
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45)) return false
  }
  return true
}

/**
 * One VALUES expression bound to its target column's type. Literals (what bulk INSERTs send) skip bindExpr's general
 * machinery: a string is coerced from unknown exactly as bindExpr's Const would be (into plain text it stays as it
 * is, which is what coerce's castText and typmod give), a NULL is NULL, and a number into float8 is its double
 * (float8Literal) — the values and errors of the general path, at a fraction of its cost (bindNumber's numeric
 * normalisation and the numeric → float8 Cast per value were a third of a 1,000-row INSERT).
 */
function bindValue(ctx: BindContext, expr: SqlExpr, target: SqlType): Expr {
  if (expr.kind === 'ExprString') {
    if (target.name === 'text' && target.typmod < 0) return { kind: 'Const', value: expr.value, type: target }
    return coerce(ctx, { kind: 'Const', value: expr.value, type: UNKNOWN }, target)
  }
  if (expr.kind === 'ExprNull') return coerce(ctx, { kind: 'Const', value: null, type: UNKNOWN }, target)
  if (target.name === 'float8' && target.typmod < 0) {
    const value = float8Literal(expr)
    if (value !== undefined) return { kind: 'Const', value, type: target }
  }
  return coerce(ctx, bindExpr(ctx, expr), target)
}

function targetColumns(table: TableSchema, statement: SqlInsert): number[] {
  // Dropped columns (ALTER TABLE DROP COLUMN) are neither listed nor found by name; they receive NULL.
  if (statement.columns === null) return visibleColumns(table).map((visible) => visible.index)
  return statement.columns.map((column) => {
    const index = findColumn(table, column.name) ?? -1
    if (index < 0) throw undefinedColumn(`${column.name}" of relation "${table.name}`, column.pos + 1)
    return index
  })
}

export function bindInsert(engine: Engine, statement: SqlInsert, paramTypes: Array<SqlType | null>): BoundInsert {
  const table = requireTable(engine, statement.table, statement.tablePos)
  let targets = targetColumns(table, statement)
  const planner = new Planner(engine, paramTypes, () => undefined)
  const ctx = planner.bindContext(new Scope([], null), 'VALUES')
  let query: PlanNode | null = null
  if (statement.query !== null) {
    query = planner.planQuery(statement.query, null).plan
    if (query.columns.length > targets.length) throw syntaxError('INSERT has more expressions than target columns', statement.tablePos + 1)
  }
  // Without a column list, a shorter VALUES row or query names the leading columns only; the others take defaults.
  const width = query?.columns.length ?? statement.rows[0]?.length ?? targets.length
  if (statement.columns === null && width < targets.length) targets = targets.slice(0, width)
  const targetTypes = targets.map((target) => columnType(table, target))
  const defaults = new LazyDefaults(engine, table)
  const rows = statement.rows.map((row) => {
    if (row.length > targets.length) throw syntaxError('INSERT has more expressions than target columns', (row[targets.length]?.pos ?? 0) + 1)
    if (row.length < targets.length) {
      if (statement.columns !== null) throw syntaxError('INSERT has more target columns than expressions', (statement.columns[row.length]?.pos ?? 0) + 1)
      throw syntaxError('VALUES lists must all be the same length', (row[0]?.pos ?? statement.tablePos) + 1)
    }
    return row.map((expr, i) => (expr.kind === 'InsertDefault' ? defaults.at(targets[i]!) : bindValue(ctx, expr, targetTypes[i]!)))
  })
  return { table, targets, targetTypes, rows, query, defaults: defaults.omitted(targets), returning: bindReturning(planner, table, statement.returning) }
}

/** The table's defaults, bound only when a statement needs one (an omitted column or DEFAULT). */
class LazyDefaults {
  private bound: Array<Expr | null> | null = null

  constructor(private readonly engine: Engine, private readonly table: TableSchema) {}

  /** DEFAULT in a VALUES row: the column's default, else a NULL of its type. */
  at(column: number): Expr {
    return this.all()[column] ?? { kind: 'Const', value: null, type: columnType(this.table, column) }
  }

  /** The defaults of the columns `targets` leaves out. */
  omitted(targets: ReadonlyArray<number>): OmittedDefault[] {
    const named = new Set(targets)
    if (this.table.columns.every((column, index) => named.has(index) || column.default === undefined || column.default === null)) return []
    return this.all().flatMap((expr, column) => (expr === null || named.has(column) ? [] : [{ column, expr, isStable: isStableDefault(expr) }]))
  }

  private all(): Array<Expr | null> {
    this.bound ??= boundDefaults(this.engine, this.table)
    return this.bound
  }
}

/** An omitted column's default; `isStable`: no volatile function, so one value serves every row of the statement. */
export interface OmittedDefault { readonly column: number; readonly expr: Expr; readonly isStable: boolean }

/** The omitted columns' default values, per row: stable ones evaluated once per statement. */
function defaultFiller(bound: BoundInsert, env: ExecEnv): (put: (column: number, value: SqlValue) => void) => void {
  if (bound.defaults.length === 0) return () => undefined
  const types = bound.table.columns.map((_, index) => columnType(bound.table, index))
  const once = new Map<number, SqlValue>()
  const valueOf = (item: OmittedDefault): SqlValue => castTyped(evaluate(item.expr, [], [], env), item.expr.type, types[item.column]!, env.functions)
  for (const item of bound.defaults) if (item.isStable) once.set(item.column, valueOf(item))
  return (put) => {
    for (const item of bound.defaults) put(item.column, item.isStable ? once.get(item.column)! : valueOf(item))
  }
}

function place(bound: BoundInsert, values: ReadonlyArray<SqlValue>, fill: ReturnType<typeof defaultFiller>): SqlValue[] {
  const columns = bound.table.columns
  const row: SqlValue[] = new Array<SqlValue>(columns.length).fill(null)
  values.forEach((value, position) => { row[bound.targets[position]!] = value })
  fill((column, value) => { row[column] = value })
  columns.forEach((column, index) => { if (column.notNull && row[index] === null) throw notNullViolation(column.name, bound.table.name) })
  return row
}

/**
 * The VALUES rows evaluated and cast into values per table column, row by row, so the first failing row raises its
 * error (a cast, then NOT NULL) as place() would; no array per row (bulk INSERTs without RETURNING come this way).
 */
function valuesColumns(bound: BoundInsert, env: ExecEnv): SqlValue[][] {
  const { table, targets, targetTypes, rows } = bound
  const fill = defaultFiller(bound, env)
  const columns: SqlValue[][] = table.columns.map(() => new Array<SqlValue>(rows.length).fill(null))
  const notNull = table.columns.flatMap((column, index) => (column.notNull ? [index] : []))
  // A literal cast per statement (a timestamptz string) repeats row after row in bulk INSERTs: the same text in the
  // same column casts to the same value within one statement, so the last one per column is remembered.
  const lastTexts = new Array<string | undefined>(targets.length)
  const lastValues = new Array<SqlValue>(targets.length)
  for (let r = 0; r < rows.length; r++) {
    const exprs = rows[r]!
    for (let p = 0; p < exprs.length; p++) {
      const expr = exprs[p]!
      let value: SqlValue
      if (expr.kind === 'Const') value = castTyped(expr.value, expr.type, targetTypes[p]!, env.functions)
      else if (expr.kind === 'Cast' && expr.expr.kind === 'Const' && typeof expr.expr.value === 'string') {
        if (lastTexts[p] !== expr.expr.value) {
          lastValues[p] = castTyped(evaluate(expr, [], [], env), expr.type, targetTypes[p]!, env.functions)
          lastTexts[p] = expr.expr.value
        }
        value = lastValues[p]!
      } else value = castTyped(evaluate(expr, [], [], env), expr.type, targetTypes[p]!, env.functions)
      columns[targets[p]!]![r] = value
    }
    fill((column, value) => { columns[column]![r] = value })
    for (const index of notNull) if (columns[index]![r] === null) throw notNullViolation(table.columns[index]!.name, table.name)
  }
  return columns
}

export async function executeInsert(engine: Engine, bound: BoundInsert, params: ReadonlyArray<SqlValue>, session: SessionContext): Promise<StatementResult> {
  const env = newExecEnv(engine, params, functionContext(session, engine), session)
  const columnCount = bound.table.columns.length
  let rows: SqlValue[][] | null = null
  let columns: SqlValue[][]
  if (bound.query !== null) {
    const types = bound.query.columns.map((c) => c.type)
    const fill = defaultFiller(bound, env)
    rows = (await runPlan(bound.query, env, [])).map((r) => place(bound, r.map((v, i) => castTyped(v, types[i]!, bound.targetTypes[i]!, env.functions)), fill))
    columns = columnsOfRows(columnCount, rows)
  } else if (bound.returning !== null) {
    const fill = defaultFiller(bound, env)
    rows = bound.rows.map((exprs) => place(bound, exprs.map((e, i) => castTyped(evaluate(e, [], [], env), e.type, bound.targetTypes[i]!, env.functions)), fill))
    columns = columnsOfRows(columnCount, rows)
  } else {
    columns = valuesColumns(bound, env)
  }
  const rowCount = rows?.length ?? bound.rows.length
  // RETURNING is evaluated before the write: an error there (22012, …) leaves nothing inserted, as PostgreSQL's rollback.
  const items = bound.returning
  const returned = items === null || rows === null ? null : rows.map((row) => items.map((item) => evaluate(item.expr, row, [], env)))
  if (rowCount > 0) {
    const batch = buildBatch(bound.table.columns, columns, rowCount)
    await withEngineErrors(() => engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId: bound.table.id, batch }))
  }
  const commandTag = `INSERT 0 ${rowCount}`
  if (items === null || returned === null) return { kind: 'CommandResult', commandTag }
  const printed = printRegColumns(items.map((item) => item.expr.type), returned, env.functions.catalog)
  return { kind: 'RowsResult', fields: returningFields(bound)!, rows: printed, commandTag }
}
