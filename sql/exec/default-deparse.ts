// sql/exec/default-deparse: a column DEFAULT as PostgreSQL's pg_get_expr prints it (ruleutils.c), plain and pretty
// (psql's \d asks for pretty). PostgreSQL prints its analysed tree; nodedb builds the same text from the expression as
// written plus the types the binder gives each part: constants as get_const_expr labels them ('a'::text, '-1'::integer,
// 0), explicit casts as (x)::type, operators in parentheses, SQL value functions by keyword (CURRENT_TIMESTAMP), and
// implicit casts shown on arguments ((100)::double precision) but not on the whole default. Only these shapes are deparsed; any other DEFAULT is refused (0A000) at CREATE, never printed
// differently from PostgreSQL.
import { featureNotSupported } from '../../src/common/errors.js'
import { formatDate, formatTimestamp } from '../../src/common/timestamp-text.js'
import type { SqlValue } from '../api.js'
import type { FunctionContext } from '../functions/function-def.js'
import { formatType } from '../functions/catalog-functions.js'
import { bindExpr, type BindContext } from '../bind/bind-expr.js'
import type { Expr } from '../bind/expr.js'
import { formatName } from '../bind/type-rules.js'
import { resolveTypeName, sqlType, typeOid, type SqlType } from '../bind/types.js'
import { coerce } from '../bind/coerce.js'
import type { SqlExpr } from '../parse/ast.js'
import { castTyped } from './value-ops.js'
import { zonedConstantText } from '../catalog/pg-attrdef.js'

/** A deparsed node: just enough of PostgreSQL's tree to place its parentheses as ruleutils does. */
type Deparsed =
  | { readonly kind: 'atom'; readonly text: string }
  | { readonly kind: 'op'; readonly op: string; readonly left: Deparsed | null; readonly right: Deparsed }
  | { readonly kind: 'call'; readonly name: string; readonly args: ReadonlyArray<Deparsed> }
  /** `bare`: a constant of the cast's own type (a typmod cast of a literal), printed without parentheses. */
  | { readonly kind: 'cast'; readonly arg: Deparsed; readonly type: string; readonly bare?: boolean }
  | { readonly kind: 'implicit'; readonly arg: Deparsed }

/** SQL value functions: printed by keyword (ruleutils' SQLValueFunction), an optional precision in parentheses. */
const VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  current_timestamp: 'CURRENT_TIMESTAMP', current_date: 'CURRENT_DATE', localtimestamp: 'LOCALTIMESTAMP',
  current_time: 'CURRENT_TIME', localtime: 'LOCALTIME', current_user: 'CURRENT_USER', session_user: 'SESSION_USER',
  user: 'USER', current_role: 'CURRENT_ROLE', current_catalog: 'CURRENT_CATALOG', current_schema: 'CURRENT_SCHEMA',
}

const OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '%', '||'])
const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>='])
/**
 * Calls PostgreSQL prints in a form nodedb's AST no longer tells apart: SQL-syntax functions (EXTRACT(f FROM x),
 * SUBSTRING(x FROM a), POSITION(a IN b), TRIM(BOTH FROM x), x AT TIME ZONE z arrive as plain calls) and functions
 * named by keywords, which ruleutils quotes ("left"(x, 2)). Refused rather than printed differently.
 */
const AMBIGUOUS_CALLS: ReadonlySet<string> = new Set(['extract', 'substring', 'position', 'overlay', 'btrim', 'ltrim', 'rtrim',
  'timezone', 'left', 'right', 'normalize', 'is_normalized', 'trim'])

/** Calls the binder turns into their own nodes, printed by keyword as ruleutils prints CoalesceExpr and MinMaxExpr. */
const KEYWORD_CALLS: Readonly<Record<string, { readonly kind: Expr['kind']; readonly keyword: string }>> = {
  coalesce: { kind: 'Coalesce', keyword: 'COALESCE' }, greatest: { kind: 'Greatest', keyword: 'GREATEST' }, least: { kind: 'Least', keyword: 'LEAST' },
}

/**
 * Types whose constants print differently per session (IntervalStyle): not stored as text. timestamp and date print
 * as ISO text (pg-attrdef.ts refuses to print them in another DateStyle); timestamptz constants are stored as their µs
 * and printed in the reader's TimeZone.
 */
const SESSION_PRINTED: ReadonlySet<string> = new Set(['interval'])

export interface DeparsedDefault {
  /** pg_get_expr(adbin, adrelid): what information_schema.columns.column_default shows too. */
  readonly plain: string
  /** pg_get_expr(adbin, adrelid, true): psql's \d. */
  readonly pretty: string
}

export function deparseDefault(ctx: BindContext, functions: FunctionContext, expr: SqlExpr, column: SqlType): DeparsedDefault {
  const node = deparse(ctx, functions, expr, { type: column, show: false })
  return { plain: plain(node), pretty: pretty(node, null) }
}

function typeText(type: SqlType): string {
  return formatType(typeOid(type), type.typmod)
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

/** get_const_expr: a constant's text and whether it needs its ::type label. */
function constant(functions: FunctionContext, value: unknown, type: SqlType, pos: number): Deparsed {
  if (SESSION_PRINTED.has(type.name)) throw featureNotSupported(`a ${typeText(type)} constant in a DEFAULT expression (its text depends on the session's settings); write now() or a cast of an expression`, pos + 1)
  if (value === null) return { kind: 'atom', text: `NULL::${typeText(type)}` }
  // Printed in the reader's TimeZone when the text is read (pg-attrdef.ts), as timestamptz_out would.
  if (type.name === 'timestamptz') return { kind: 'atom', text: `'${zonedConstantText(Number(value))}'::${typeText(type)}` }
  if (type.name === 'bool') return { kind: 'atom', text: value === true ? 'true' : 'false' }
  // date and timestamp constants are stored ISO whatever the creating session's DateStyle (pg-attrdef.ts).
  const text = type.name === 'date' ? formatDate(Number(value)) : type.name === 'timestamp' ? formatTimestamp(Number(value))
    : String(castTyped(value as never, type, sqlType('text'), functions))
  if (type.name === 'int4' && !text.startsWith('-')) return { kind: 'atom', text }
  if (type.name === 'numeric' && /^\d/.test(text) && /[eE.]/.test(text) && type.typmod < 0) return { kind: 'atom', text }
  return { kind: 'atom', text: `${quote(text)}::${typeText(type)}` }
}

/**
 * A literal's value in `type`: the binder's constant, or — for the types whose literals it leaves to the statement
 * ('now', 'today' for timestamp) — converted now, as PostgreSQL's CREATE does (a 'now' default is frozen there too).
 */
function literalValue(functions: FunctionContext, bound: Expr, type: SqlType): SqlValue {
  if (bound.kind === 'Const') return bound.value
  if (bound.kind === 'Cast' && bound.expr.kind === 'Const') return castTyped(bound.expr.value, sqlType('text'), type, functions)
  return null
}

/** The type of an integer or decimal literal as PostgreSQL's make_const gives it (the sign folded in). */
function numberType(text: string): SqlType {
  if (/^-?\d+$/.test(text)) {
    const value = BigInt(text)
    if (value >= -2147483648n && value <= 2147483647n) return sqlType('int4')
    if (value >= -9223372036854775808n && value <= 9223372036854775807n) return sqlType('int8')
  }
  return sqlType('numeric')
}

function literal(ctx: BindContext, functions: FunctionContext, text: string, pos: number): { node: Deparsed; type: SqlType } {
  const type = numberType(text)
  const bound = coerce(ctx, { kind: 'Const', value: text, type: sqlType('unknown') }, type, true)
  const value = bound.kind === 'Const' ? bound.value : text
  return { node: constant(functions, value, type, pos), type }
}

/**
 * The type the context coerces an expression to, and whether ruleutils shows that implicit cast: it does for the
 * arguments of operators and functions (showimplicit), not for the coercion of the whole default to the column type.
 */
interface Expected { readonly type: SqlType; readonly show: boolean }

/** `node` under the context's implicit cast to another type: shown as (x)::type, or hidden (keeping its parentheses). */
function implicitTo(node: Deparsed, from: SqlType, expected: Expected | null): Deparsed {
  const to = expected?.type
  if (to === undefined || (from.name === to.name && (to.typmod < 0 || from.typmod === to.typmod))) return node
  return expected!.show ? { kind: 'cast', arg: node, type: typeText(to) } : { kind: 'implicit', arg: node }
}

function unsupportedShape(expr: SqlExpr): never {
  const what = expr.kind === 'ExprCall' ? `${expr.name}()` : expr.kind === 'ExprBinary' ? `operator ${expr.op}` : expr.kind.replace(/^Expr/, '').toUpperCase()
  throw featureNotSupported(`${what} in a DEFAULT expression (nodedb stores constants, casts, arithmetic, comparisons and function calls as defaults)`, expr.pos + 1)
}

/** `expected`: the type the enclosing context coerces this expression to (null: none). */
function deparse(ctx: BindContext, functions: FunctionContext, expr: SqlExpr, expected: Expected | null): Deparsed {
  switch (expr.kind) {
    case 'ExprNumber': {
      const { node, type } = literal(ctx, functions, expr.text, expr.pos)
      return implicitTo(node, type, expected)
    }
    case 'ExprUnary': {
      if (expr.op === '-' && expr.expr.kind === 'ExprNumber') {
        const { node, type } = literal(ctx, functions, `-${expr.expr.text}`, expr.pos)
        return implicitTo(node, type, expected)
      }
      if (expr.op !== '-') return unsupportedShape(expr)
      return operator(ctx, functions, expr, null, expr.expr, expected)
    }
    case 'ExprString': case 'ExprNull': {
      // An unknown literal becomes a constant of the context's type read without its modifier (coerce_type: '0' into
      // numeric(12,4) is '0'::numeric); the length coercion above it is an implicit cast, applied at INSERT.
      const type = sqlType(expected?.type.name ?? 'text')
      const bound = coerce(ctx, bindExpr(ctx, expr), type)
      return constant(functions, literalValue(functions, bound, type), type, expr.pos)
    }
    case 'ExprBool': return implicitTo({ kind: 'atom', text: expr.value ? 'true' : 'false' }, sqlType('bool'), expected)
    case 'ExprCast': return cast(ctx, functions, expr, expected)
    case 'ExprCall': return call(ctx, functions, expr, expected)
    case 'ExprBinary':
      if (COMPARISONS.has(expr.op)) return comparison(ctx, functions, expr, expected)
      return OPERATORS.has(expr.op) ? operator(ctx, functions, expr, expr.left, expr.right, expected) : unsupportedShape(expr)
    default: return unsupportedShape(expr)
  }
}

function cast(ctx: BindContext, functions: FunctionContext, expr: Extract<SqlExpr, { kind: 'ExprCast' }>, expected: Expected | null): Deparsed {
  const type = resolveTypeName(expr.type)
  const inner = expr.expr
  if (inner.kind === 'ExprString' || inner.kind === 'ExprNull') {
    const bound = bindExpr(ctx, expr)
    return implicitTo(constant(functions, literalValue(functions, bound, type), type, expr.pos), bound.type, expected)
  }
  const innerType = bindExpr(ctx, inner).type
  const arg = deparse(ctx, functions, inner, null)
  // A cast to the type the expression already has is no node at all in PostgreSQL's tree.
  const isSame = innerType.name === type.name
  const node: Deparsed = isSame && (type.typmod < 0 || innerType.typmod === type.typmod) ? arg
    : { kind: 'cast', arg, type: typeText(type), bare: isSame && inner.kind === 'ExprNumber' }
  return implicitTo(node, type, expected)
}

function call(ctx: BindContext, functions: FunctionContext, expr: Extract<SqlExpr, { kind: 'ExprCall' }>, expected: Expected | null): Deparsed {
  const bound = bindExpr(ctx, expr)
  const keyword = expr.schema === null ? VALUE_FUNCTIONS[expr.name] : undefined
  if (keyword !== undefined) {
    const precision = expr.args[0]
    if (precision !== undefined && precision.kind !== 'ExprNumber') return unsupportedShape(expr)
    return implicitTo({ kind: 'atom', text: precision === undefined ? keyword : `${keyword}(${precision.text})` }, bound.type, expected)
  }
  const special = expr.schema === null ? KEYWORD_CALLS[expr.name] : undefined
  if (special !== undefined && bound.kind === special.kind && 'args' in bound) {
    const args = expr.args.map((arg, i) => deparse(ctx, functions, arg, { type: bound.args[i]!.type, show: true }))
    return implicitTo({ kind: 'call', name: special.keyword, args }, bound.type, expected)
  }
  if (AMBIGUOUS_CALLS.has(expr.name)) return unsupportedShape(expr)
  if (bound.kind !== 'Call' || expr.star || expr.distinct || expr.filter !== null || expr.orderBy.length > 0 || expr.over !== null) return unsupportedShape(expr)
  const args = expr.args.map((arg, i) => {
    const node = deparse(ctx, functions, arg, argType(bound, i, true))
    // PostgreSQL would print the cast its own overload needs (to_char(integer, text) takes 1 as it is, nodedb's
    // to_char casts it to float8): an argument that needs one is refused rather than printed as the other server's.
    if (node.kind === 'cast' && arg.kind !== 'ExprCast') throw featureNotSupported(`${expr.name}() with an argument of type ${formatName(bindExpr(ctx, arg).type)} in a DEFAULT expression (cast it to the parameter's type)`, arg.pos + 1)
    return node
  })
  return implicitTo({ kind: 'call', name: expr.name, args }, bound.type, expected)
}

/**
 * The type a bound call or operator passes its argument `i` as (after the binder's coercions), its cast shown unless
 * `show` is false: || takes any type as PostgreSQL's anytextcat does, with no cast where nodedb binds one to text.
 */
function argType(bound: Expr, i: number, show: boolean): Expected | null {
  const type = bound.kind === 'Call' ? bound.args[i]?.type : undefined
  return type === undefined ? null : { type, show }
}

function operator(ctx: BindContext, functions: FunctionContext, expr: SqlExpr, left: SqlExpr | null, right: SqlExpr, expected: Expected | null): Deparsed {
  const bound = bindExpr(ctx, expr)
  if (bound.kind !== 'Call') return unsupportedShape(expr)
  const op = expr.kind === 'ExprBinary' ? expr.op : '-'
  const show = op !== '||'
  const node: Deparsed = left === null
    ? { kind: 'op', op, left: null, right: deparse(ctx, functions, right, argType(bound, 0, show)) }
    : { kind: 'op', op, left: deparse(ctx, functions, left, argType(bound, 0, show)), right: deparse(ctx, functions, right, argType(bound, 1, show)) }
  return implicitTo(node, bound.type, expected)
}

function comparison(ctx: BindContext, functions: FunctionContext, expr: Extract<SqlExpr, { kind: 'ExprBinary' }>, expected: Expected | null): Deparsed {
  const bound = bindExpr(ctx, expr)
  if (bound.kind !== 'Compare') return unsupportedShape(expr)
  const left = deparse(ctx, functions, expr.left, { type: bound.left.type, show: true })
  const right = deparse(ctx, functions, expr.right, { type: bound.right.type, show: true })
  return implicitTo({ kind: 'op', op: expr.op, left, right }, bound.type, expected)
}

function plain(node: Deparsed): string {
  switch (node.kind) {
    case 'atom': return node.text
    case 'op': return node.left === null ? `(${node.op} ${plain(node.right)})` : `(${plain(node.left)} ${node.op} ${plain(node.right)})`
    case 'call': return `${node.name}(${node.args.map(plain).join(', ')})`
    case 'cast': return node.bare === true ? `${plain(node.arg)}::${node.type}` : `(${plain(node.arg)})::${node.type}`
    case 'implicit': return plain(node.arg)
  }
}

const LOW = new Set(['+', '-'])
const HIGH = new Set(['*', '/', '%'])

/** isSimpleNode for an operator under an operator: only + - * / % nest without parentheses, by priority and side. */
function isSimpleUnder(child: Extract<Deparsed, { kind: 'op' }>, parent: Extract<Deparsed, { kind: 'op' }>): boolean {
  if (child.left === null || parent.left === null) return false
  const childLow = LOW.has(child.op)
  const parentLow = LOW.has(parent.op)
  if (!(childLow || HIGH.has(child.op)) || !(parentLow || HIGH.has(parent.op))) return false
  if (!childLow && parentLow) return true
  if (childLow && !parentLow) return false
  return parent.left === child
}

/** The pretty form (PRETTYFLAG_PAREN): `parent` decides whether an operator needs its parentheses. */
function pretty(node: Deparsed, parent: Deparsed | null): string {
  switch (node.kind) {
    case 'atom': return node.text
    case 'op': {
      const text = node.left === null ? `${node.op} ${pretty(node.right, node)}` : `${pretty(node.left, node)} ${node.op} ${pretty(node.right, node)}`
      if (parent === null || parent.kind === 'call') return text
      return parent.kind === 'op' && isSimpleUnder(node, parent) ? text : `(${text})`
    }
    case 'call': return `${node.name}(${node.args.map((arg) => pretty(arg, node)).join(', ')})`
    case 'cast': return `${pretty(node.arg, node)}::${node.type}`
    case 'implicit': return node.arg.kind === 'op' ? `(${pretty(node.arg, null)})` : pretty(node.arg, node)
  }
}
