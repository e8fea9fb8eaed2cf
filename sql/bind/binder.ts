// sql/bind/binder: binds a SELECT against the catalog — FROM, select list (with * and aliases), WHERE, GROUP BY
// (names, output aliases, ordinals), ORDER BY, LIMIT/OFFSET — into a BoundSelect. No planning happens here.
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { featureNotSupported } from '../../src/common/errors.js'
import { invalidColumnReference } from '../../src/common/errors.js'
import type { SqlExpr, SqlSelect } from '../parse/ast.js'
import type { BoundExpr } from './bound.js'
import { bindExpr, coerceTo, type BindContext } from './bind-expr.js'
import { requireTable, tableOid } from './catalog.js'
import { sqlType, type SqlType } from './types.js'

export interface BoundOutput {
  readonly name: string
  readonly expr: BoundExpr
  /** RowDescription origin: the table OID and attnum for a plain column reference, else 0 and 0. */
  readonly tableOid: number
  readonly columnAttr: number
}

export interface BoundOrder {
  readonly expr: BoundExpr
  readonly descending: boolean
  readonly nullsFirst: boolean
}

export interface BoundSelect {
  readonly kind: 'BoundSelect'
  readonly table: TableSchema | null
  readonly outputs: ReadonlyArray<BoundOutput>
  readonly where: BoundExpr | null
  /** GROUP BY keys: BoundColumn or BoundTimeBucket of a column. */
  readonly groupBy: ReadonlyArray<BoundExpr>
  readonly isAggregate: boolean
  readonly orderBy: ReadonlyArray<BoundOrder>
  readonly limit: BoundExpr | null
  readonly offset: BoundExpr | null
}

/** PostgreSQL's output column name: alias, else column name, else function name, else ?column?. */
function outputName(expr: SqlExpr): string {
  switch (expr.kind) {
    case 'ExprColumn': return expr.name
    case 'ExprCall': return expr.name
    case 'ExprCast': return expr.expr.kind === 'ExprColumn' || expr.expr.kind === 'ExprCall' ? outputName(expr.expr) : expr.type.name
    case 'ExprBool': return 'bool'
    default: return '?column?'
  }
}

export function containsAggregate(expr: BoundExpr): boolean {
  switch (expr.kind) {
    case 'BoundAggregate': return true
    case 'BoundBinary': return containsAggregate(expr.left) || containsAggregate(expr.right)
    case 'BoundUnary': case 'BoundIsNull': case 'BoundCast': return containsAggregate(expr.expr)
    case 'BoundIn': return containsAggregate(expr.expr) || expr.list.some(containsAggregate)
    case 'BoundTimeBucket': return containsAggregate(expr.arg)
    case 'BoundScalarCall': return expr.args.some(containsAggregate)
    default: return false
  }
}

/** Output expressions stay typed: a bare unknown literal ('x', NULL) is text, as PostgreSQL reports it. */
function settleUnknown(ctx: BindContext, expr: BoundExpr): BoundExpr {
  return expr.type.name === 'unknown' ? coerceTo(ctx, expr, sqlType('text')) : expr
}

function bindOutputs(ctx: BindContext, select: SqlSelect): BoundOutput[] {
  const outputs: BoundOutput[] = []
  for (const item of select.items) {
    if (item.expr.kind === 'ExprStar') {
      if (ctx.table === null) throw featureNotSupported('SELECT * without a table', item.expr.pos + 1)
      const table = ctx.table
      table.columns.forEach((column, index) => {
        const expr = bindExpr(ctx, { kind: 'ExprColumn', name: column.name, table: null, pos: item.expr.pos })
        outputs.push({ name: column.name, expr, tableOid: tableOid(table), columnAttr: index + 1 })
      })
      continue
    }
    const expr = settleUnknown(ctx, bindExpr(ctx, item.expr))
    const isColumn = expr.kind === 'BoundColumn' && ctx.table !== null
    const origin = isColumn && ctx.table !== null ? { tableOid: tableOid(ctx.table), columnAttr: expr.column + 1 } : { tableOid: 0, columnAttr: 0 }
    outputs.push({ name: item.alias ?? outputName(item.expr), expr, ...origin })
  }
  return outputs
}

function ordinal(expr: SqlExpr, outputs: ReadonlyArray<BoundOutput>, clause: string): BoundExpr | undefined {
  if (expr.kind !== 'ExprNumber' || !/^\d+$/.test(expr.text)) return undefined
  const output = outputs[Number(expr.text) - 1]
  if (output === undefined) throw invalidColumnReference(`${clause} position ${expr.text} is not in select list`)
  return output.expr
}

/** GROUP BY: ordinal, then input column, then output alias, then an expression (PostgreSQL's order). */
function bindGroupKey(ctx: BindContext, expr: SqlExpr, outputs: ReadonlyArray<BoundOutput>): BoundExpr {
  const byOrdinal = ordinal(expr, outputs, 'GROUP BY')
  if (byOrdinal !== undefined) return byOrdinal
  if (expr.kind === 'ExprColumn' && expr.table === null) {
    const isInput = ctx.table?.columns.some((column) => column.name === expr.name) ?? false
    const alias = outputs.find((output) => output.name === expr.name)
    if (!isInput && alias !== undefined) return alias.expr
  }
  return bindExpr(ctx, expr)
}

/** ORDER BY: ordinal, then output name, then an expression over the input (PostgreSQL's order). */
function bindOrderKey(ctx: BindContext, expr: SqlExpr, outputs: ReadonlyArray<BoundOutput>): BoundExpr {
  const byOrdinal = ordinal(expr, outputs, 'ORDER BY')
  if (byOrdinal !== undefined) return byOrdinal
  if (expr.kind === 'ExprColumn' && expr.table === null) {
    const named = outputs.filter((output) => output.name === expr.name)
    if (named.length >= 1 && named[0] !== undefined) return named[0].expr
  }
  return bindExpr(ctx, expr)
}

function bindLimit(ctx: BindContext, expr: SqlExpr | null): BoundExpr | null {
  return expr === null ? null : coerceTo(ctx, bindExpr(ctx, expr), sqlType('int8'))
}

export function bindSelect(engine: Engine, select: SqlSelect, paramTypes: Array<SqlType | null>): BoundSelect {
  const table = select.from === null ? null : requireTable(engine, select.from.table, select.from.pos)
  const ctx: BindContext = { table, tableAlias: select.from?.alias ?? null, paramTypes }
  const outputs = bindOutputs(ctx, select)
  const where = select.where === null ? null : coerceTo(ctx, bindExpr(ctx, select.where), sqlType('bool'))
  if (where !== null && containsAggregate(where)) throw featureNotSupported('aggregate functions in WHERE', 1)
  const groupBy = select.groupBy.map((expr) => bindGroupKey(ctx, expr, outputs))
  const orderBy = select.orderBy.map((item) => ({
    expr: bindOrderKey(ctx, item.expr, outputs),
    descending: item.descending,
    nullsFirst: item.nullsFirst ?? item.descending,
  }))
  const isAggregate = groupBy.length > 0 || outputs.some((output) => containsAggregate(output.expr)) ||
    orderBy.some((item) => containsAggregate(item.expr))
  return {
    kind: 'BoundSelect', table, outputs, where, groupBy, isAggregate, orderBy,
    limit: bindLimit(ctx, select.limit), offset: bindLimit(ctx, select.offset),
  }
}
