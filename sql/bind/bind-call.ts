// sql/bind/bind-call: function calls — the special forms (COALESCE, GREATEST/LEAST, NULLIF, SQL value functions),
// aggregates (with DISTINCT, FILTER, ORDER BY, WITHIN GROUP), window functions, and scalar functions from the registry.
import { rewriteWholeRow } from './bind-whole-row.js'
import { bindArrayCall, isArrayFunctionName } from './bind-array-functions.js'
import { ambiguousFunctionCall, featureNotSupported, groupingError, undefinedFunction, undefinedObject, windowingError } from '../../src/common/errors.js'
import { aggregateOverloads, isAggregate } from '../functions/registry.js'
import type { SqlCallExpr, SqlExpr, SqlOrderItem, SqlWindowSpec } from '../parse/ast.js'
import { toBool, type BindContext } from './bind-expr.js'
import { coerce, coerceArgs, resolveFunction } from './coerce.js'
import { chooseOverloadCached } from './overload-cache.js'
import { pgOnlyOverloads } from './overload.js'
import type { AggCall, Expr, ExprSortKey, WindowCall, WindowFrameBound } from './expr.js'
import { commonType, formatName } from './type-rules.js'
import { PG_TYPES, sqlType, type SqlType } from './types.js'
import type { ScalarFunction } from '../functions/function-def.js'
import { bindSetReturningCall, isSetReturningName } from './bind-srf.js'

type BindFn = (ctx: BindContext, expr: SqlExpr) => Expr

const RANKING = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile'])
const VALUE_WINDOWS = new Set(['lag', 'lead', 'first_value', 'last_value', 'nth_value'])

/** SQL value functions and aliases → the registry function that computes them. */
const RENAMED: Readonly<Record<string, string>> = {
  current_timestamp: 'now', transaction_timestamp: 'now', user: 'current_user', session_user: 'current_user',
  current_catalog: 'current_database', current_role: 'current_user',
}

export function bindSortKeys(ctx: BindContext, items: ReadonlyArray<SqlOrderItem>, bind: BindFn): ExprSortKey[] {
  return items.map((item) => ({
    expr: bind(ctx, item.expr), descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending,
  }))
}

function bindVariadicSame(outerCtx: BindContext, call: SqlCallExpr, bind: BindFn, kind: 'Coalesce' | 'Greatest' | 'Least'): Expr {
  const ctx: BindContext = { ...outerCtx, allowSetReturning: false }
  const args = call.args.map((arg) => bind(ctx, arg))
  const type = commonType(args.map((arg) => arg.type), kind.toUpperCase(), call.pos)
  return { kind, args: args.map((arg) => coerce(ctx, arg, type)), type }
}

function bindSpecial(ctx: BindContext, call: SqlCallExpr, bind: BindFn): Expr | null {
  if (isArrayFunctionName(call.name)) return bindArrayCall(ctx, call, bind)
  switch (call.name) {
    case 'coalesce': return bindVariadicSame(ctx, call, bind, 'Coalesce')
    case 'greatest': return bindVariadicSame(ctx, call, bind, 'Greatest')
    case 'least': return bindVariadicSame(ctx, call, bind, 'Least')
    case 'nullif': {
      const [a, b] = call.args.map((arg) => bind(ctx, arg))
      if (a === undefined || b === undefined || call.args.length !== 2) throw undefinedFunction('nullif', call.pos + 1)
      const type = commonType([a.type, b.type], 'NULLIF', call.pos)
      return { kind: 'NullIf', left: coerce(ctx, a, type), right: coerce(ctx, b, type), type: a.type.name === 'unknown' ? type : a.type }
    }
    case 'pg_typeof': {
      const [arg] = call.args.map((a) => bind(ctx, a))
      if (arg === undefined || call.args.length !== 1) throw undefinedFunction('pg_typeof', call.pos + 1)
      // The argument is evaluated (an error in it raises) and its type's OID returned, printed as a regtype name.
      const oid = PG_TYPES[arg.type.name].oid
      const fn: ScalarFunction = { name: 'pg_typeof', args: [arg.type.name], result: 'regtype', strict: false, volatility: 'stable', evaluate: () => oid }
      return { kind: 'Call', fn, args: [arg], type: sqlType('regtype') }
    }
    case 'current_date': return { kind: 'Cast', expr: resolveFunction(ctx, 'now', [], call.pos), type: sqlType('date') }
    case 'localtimestamp': return { kind: 'Cast', expr: resolveFunction(ctx, 'now', [], call.pos), type: sqlType('timestamp') }
    case 'localtime': return { kind: 'Cast', expr: resolveFunction(ctx, 'now', [], call.pos), type: sqlType('time') }
    case 'current_time': return { kind: 'Cast', expr: resolveFunction(ctx, 'now', [], call.pos), type: sqlType('timetz') }
    default: return null
  }
}

function refuseClauses(call: SqlCallExpr, what: string): void {
  if (call.distinct) throw featureNotSupported(`DISTINCT in ${what}`, call.pos + 1)
  if (call.filter !== null) throw featureNotSupported(`FILTER in ${what}`, call.pos + 1)
  if (call.orderBy.length > 0) throw featureNotSupported(`ORDER BY in ${what}`, call.pos + 1)
}

/** `argsMayAggregate`: an aggregate used as a window function may take the grouped query's aggregates as arguments. */
export function bindAggCall(ctx: BindContext, call: SqlCallExpr, bind: BindFn, argsMayAggregate = false): AggCall {
  const inner: BindContext = { ...ctx, allowAggregates: argsMayAggregate, allowWindows: false, allowSetReturning: false, clause: 'aggregate function calls' }
  const direct = call.withinGroup ? call.args.map((arg) => bind(inner, arg)) : []
  const ordered = call.withinGroup ? call.orderBy.map((item) => bind(inner, item.expr)) : call.args.map((arg) => bind(inner, arg))
  const args = [...direct, ...ordered]
  const registered = aggregateOverloads(call.name)
  const overloads = registered.filter((fn) => (fn.orderedSet === true) === call.withinGroup)
  const picked = call.star ? (overloads.find((fn) => fn.args.length === 0) === undefined ? null : { fn: overloads.find((fn) => fn.args.length === 0)!, targets: [] })
    : chooseOverloadCached(registered, call.withinGroup ? 'within group' : 'agg', () => overloads.filter((fn) => fn.args.length > 0), args.map((arg) => arg.type), () => pgOnlyOverloads(call.name, 'function'))
  if (picked === null || picked === 'ambiguous' || 'unsupported' in picked) {
    const signature = `${call.name}(${call.star ? '*' : args.map((arg) => formatName(arg.type)).join(', ')})`
    if (picked !== null && picked !== 'ambiguous') throw featureNotSupported(`function ${call.name}(${picked.unsupported.join(', ')})`, call.pos + 1)
    throw picked === null ? undefinedFunction(signature, call.pos + 1) : ambiguousFunctionCall(signature, call.pos + 1)
  }
  const coerced = coerceArgs(inner, args, picked.targets)
  const argTypes = coerced.map((arg) => arg.type)
  const fn = picked.fn
  const type = typeof fn.result === 'function' ? fn.result(argTypes) : sqlType(fn.result)
  const filter = call.filter === null ? null : toBool(inner, bind(inner, call.filter), 'FILTER', call.pos)
  const orderBy = call.withinGroup ? [] : bindSortKeys(inner, call.orderBy, bind)
  if (call.withinGroup && call.orderBy.length !== 1) throw featureNotSupported('WITHIN GROUP with other than one ORDER BY key', call.pos + 1)
  if (call.withinGroup && call.orderBy[0]!.descending) throw featureNotSupported('WITHIN GROUP (ORDER BY … DESC)', call.pos + 1)
  return { fn, args: coerced, argTypes, distinct: call.distinct, star: call.star, filter, orderBy, type }
}

function frameBound(ctx: BindContext, bound: SqlWindowSpec['frame'] extends infer F ? F extends { start: infer B } ? B : never : never, bind: BindFn): WindowFrameBound {
  if (bound.kind === 'preceding' || bound.kind === 'following') {
    if (bound.offset === null) throw windowingError('frame offset is required')
    return { kind: bound.kind, offset: bind(ctx, bound.offset) }
  }
  return { kind: bound.kind }
}

/** OVER w / OVER (w ORDER BY …): the named window's PARTITION BY, its ORDER BY unless this one adds one, this frame. */
function resolveNamedWindow(ctx: BindContext, spec: SqlWindowSpec): SqlWindowSpec {
  if (spec.refName === null) return spec
  const base = ctx.windows?.get(spec.refName)
  if (base === undefined) throw undefinedObject(`window "${spec.refName}" does not exist`)
  if (spec.partitionBy.length > 0) throw windowingError(`cannot override PARTITION BY clause of window "${spec.refName}"`, spec.pos + 1)
  if (spec.orderBy.length > 0 && base.orderBy.length > 0) throw windowingError(`cannot override ORDER BY clause of window "${spec.refName}"`, spec.pos + 1)
  return { refName: null, partitionBy: base.partitionBy, orderBy: spec.orderBy.length > 0 ? spec.orderBy : base.orderBy, frame: spec.frame ?? base.frame, pos: spec.pos }
}

function bindWindow(ctx: BindContext, call: SqlCallExpr, spec: SqlWindowSpec, bind: BindFn): Expr {
  if (!ctx.allowWindows) throw windowingError(`window functions are not allowed in ${ctx.clause}`, call.pos + 1)
  spec = resolveNamedWindow(ctx, spec)
  const inner: BindContext = { ...ctx, allowWindows: false, allowSetReturning: false, clause: 'window functions' }
  const partitionBy = spec.partitionBy.map((expr) => bind(inner, expr))
  const orderBy = bindSortKeys(inner, spec.orderBy, bind)
  const frame = spec.frame === null
    ? { mode: 'range' as const, start: { kind: 'unboundedPreceding' as const }, end: { kind: 'currentRow' as const } }
    : { mode: spec.frame.mode, start: frameBound(inner, spec.frame.start, bind), end: frameBound(inner, spec.frame.end, bind) }
  const hasOffset = frame.start.kind === 'preceding' || frame.start.kind === 'following' || frame.end.kind === 'preceding' || frame.end.kind === 'following'
  if (frame.mode === 'groups' && hasOffset) throw featureNotSupported('GROUPS frames with an offset', spec.pos + 1)
  if (frame.mode === 'range' && hasOffset && orderBy.length !== 1) {
    throw windowingError('RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', spec.pos + 1)
  }
  const base = { partitionBy, orderBy, frame }
  if (RANKING.has(call.name) || VALUE_WINDOWS.has(call.name)) {
    refuseClauses(call, 'window functions')
    const args = call.args.map((arg) => bind(inner, arg))
    const type = windowType(call, args)
    const coerced = call.name === 'ntile' || call.name === 'nth_value' || call.name === 'lag' || call.name === 'lead'
      ? args.map((arg, i) => (i === 1 ? coerce(inner, arg, sqlType(call.name === 'ntile' ? 'int4' : 'int4')) : i === 2 ? coerce(inner, arg, type) : i === 0 && call.name === 'ntile' ? coerce(inner, arg, sqlType('int4')) : arg))
      : args
    const windowCall: WindowCall = { fn: call.name, agg: null, args: coerced, argTypes: coerced.map((a) => a.type), filter: null, ...base, type }
    return { kind: 'Window', call: windowCall, type }
  }
  if (!isAggregate(call.name)) throw undefinedFunction(`${call.name}(…) as a window function`, call.pos + 1)
  if (call.distinct) throw featureNotSupported('DISTINCT in window aggregates', call.pos + 1)
  const agg = bindAggCall({ ...inner, allowAggregates: true }, call, bind, ctx.allowAggregates)
  const windowCall: WindowCall = { fn: call.name, agg: agg.fn, args: agg.args, argTypes: agg.argTypes, filter: agg.filter, ...base, type: agg.type }
  return { kind: 'Window', call: windowCall, type: agg.type }
}

function windowType(call: SqlCallExpr, args: ReadonlyArray<Expr>): SqlType {
  const arity: Readonly<Record<string, [number, number]>> = {
    row_number: [0, 0], rank: [0, 0], dense_rank: [0, 0], percent_rank: [0, 0], cume_dist: [0, 0], ntile: [1, 1],
    lag: [1, 3], lead: [1, 3], first_value: [1, 1], last_value: [1, 1], nth_value: [2, 2],
  }
  const [min, max] = arity[call.name] ?? [0, 0]
  if (args.length < min || args.length > max) {
    throw undefinedFunction(`${call.name}(${args.map((a) => formatName(a.type)).join(', ')})`, call.pos + 1)
  }
  switch (call.name) {
    case 'row_number': case 'rank': case 'dense_rank': return sqlType('int8')
    case 'percent_rank': case 'cume_dist': return sqlType('float8')
    case 'ntile': return sqlType('int4')
    default: return args[0]!.type.name === 'unknown' ? sqlType('text') : args[0]!.type
  }
}

export function bindCall(ctx: BindContext, call: SqlCallExpr, bind: BindFn): Expr {
  if (call.schema !== null && call.schema !== 'pg_catalog' && call.schema !== 'public') {
    throw undefinedFunction(`${call.schema}.${call.name}`, call.pos + 1)
  }
  const rewritten = rewriteWholeRow(ctx.scope, call)
  if (rewritten !== call) return bind(ctx, rewritten)
  if (call.over !== null) return bindWindow(ctx, call, call.over, bind)
  if (RANKING.has(call.name) || VALUE_WINDOWS.has(call.name)) {
    throw windowingError(`window function ${call.name} requires an OVER clause`, call.pos + 1)
  }
  if (isAggregate(call.name)) {
    if (!ctx.allowAggregates) throw groupingErrorFor(ctx, call)
    const agg = bindAggCall(ctx, call, bind)
    return { kind: 'Aggregate', call: agg, type: agg.type }
  }
  refuseClauses(call, `${call.name}(), which is not an aggregate`)
  if (call.star) throw undefinedFunction(`${call.name}(*)`, call.pos + 1)
  const special = bindSpecial(ctx, call, bind)
  if (special !== null) return special
  if (isSetReturningName(call.name)) {
    const inner: BindContext = { ...ctx, allowSetReturning: false, clause: `arguments of ${call.name}` }
    return bindSetReturningCall(ctx, call.name, call.args.map((arg) => bind(inner, arg)), call.pos)
  }
  const args = call.args.map((arg) => bind(ctx, arg))
  return resolveFunction(ctx, RENAMED[call.name] ?? call.name, args, call.pos)
}

function groupingErrorFor(ctx: BindContext, call: SqlCallExpr): Error {
  const error = groupingError('', call.pos + 1)
  error.message = `aggregate functions are not allowed in ${ctx.clause}`
  return error
}
