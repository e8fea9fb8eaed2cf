// sql/bind/bind-call: function calls — the aggregates the engine computes (count, sum, avg, min, max, first, last),
// TimescaleDB's time_bucket, and the scalar functions clients probe (now, version, current_setting, …).
import type { AggregateFn } from '../../engine/ops.js'
import { featureNotSupported, undefinedFunction } from '../../src/common/errors.js'
import { parseIntervalUs } from '../expr/interval.js'
import { parseTimestampUs } from '../expr/timestamp.js'
import type { SqlExpr } from '../parse/ast.js'
import type { BindContext } from './bind-expr.js'
import type { BoundExpr, ScalarFn } from './bound.js'
import { isIntegerType, isNumericType, isTimestampType, sqlType, type SqlType } from './types.js'

type CallExpr = Extract<SqlExpr, { kind: 'ExprCall' }>
type BindFn = (ctx: BindContext, expr: SqlExpr) => BoundExpr

const AGGREGATES: ReadonlyArray<AggregateFn> = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last']
const SCALARS: Readonly<Record<string, { readonly fn: ScalarFn; readonly arity: number; readonly type: SqlType }>> = {
  now: { fn: 'now', arity: 0, type: sqlType('timestamptz') },
  version: { fn: 'version', arity: 0, type: sqlType('text') },
  current_setting: { fn: 'current_setting', arity: 1, type: sqlType('text') },
  current_database: { fn: 'current_database', arity: 0, type: sqlType('text') },
  current_user: { fn: 'current_user', arity: 0, type: sqlType('text') },
}
/** TimescaleDB's default origin for time_bucket: Monday 2000-01-03 00:00 UTC, in µs since the Unix epoch. */
export const TIME_BUCKET_ORIGIN_US = 946_857_600_000_000

function signature(ctx: BindContext, call: CallExpr, bind: BindFn): string {
  const types = call.args.map((arg) => (arg.kind === 'ExprStar' ? '*' : bind(ctx, arg).type.name))
  return `${call.name}(${types.join(', ')})`
}

function aggregateType(fn: AggregateFn, arg: SqlType): SqlType | null {
  switch (fn) {
    case 'count': return sqlType('int8')
    // PostgreSQL's result types: sum(int2|int4) → int8, sum(int8) → numeric, sum(float4) → float4, sum(float8) → float8;
    // avg over any integer → numeric, over floats → float8.
    case 'sum':
      if (!isNumericType(arg.name)) return null
      if (arg.name === 'int8' || arg.name === 'numeric') return sqlType('numeric')
      return isIntegerType(arg.name) ? sqlType('int8') : arg.name === 'float4' ? sqlType('float4') : sqlType('float8')
    case 'avg':
      if (!isNumericType(arg.name)) return null
      return isIntegerType(arg.name) || arg.name === 'numeric' ? sqlType('numeric') : sqlType('float8')
    case 'min': case 'max': case 'first': case 'last': return arg
    default: return null
  }
}

function bindAggregate(ctx: BindContext, call: CallExpr, fn: AggregateFn, bind: BindFn): BoundExpr {
  if (call.distinct) throw featureNotSupported(`${fn}(DISTINCT …)`, call.pos + 1)
  const [first, second] = call.args
  const expectedArity = fn === 'first' || fn === 'last' ? 2 : 1
  if (call.args.length !== expectedArity || first === undefined) throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
  if (first.kind === 'ExprStar') {
    if (fn !== 'count') throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
    return { kind: 'BoundAggregate', fn, column: null, type: sqlType('int8') }
  }
  const arg = bind(ctx, first)
  if (arg.kind !== 'BoundColumn') throw featureNotSupported(`${fn}() over an expression`, call.pos + 1)
  if (second !== undefined) {
    const time = bind(ctx, second)
    if (time.kind !== 'BoundColumn' || time.column !== ctx.table?.timestampIndex) {
      throw featureNotSupported(`${fn}() ordered by other than the designated timestamp`, call.pos + 1)
    }
  }
  const type = aggregateType(fn, arg.type)
  if (type === null) throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
  return { kind: 'BoundAggregate', fn, column: arg.column, type }
}

function constantText(expr: SqlExpr | undefined): string | null {
  if (expr === undefined) return null
  if (expr.kind === 'ExprString' || expr.kind === 'ExprInterval') return expr.kind === 'ExprString' ? expr.value : expr.text
  if (expr.kind === 'ExprCast') return constantText(expr.expr)
  return null
}

function bindTimeBucket(ctx: BindContext, call: CallExpr, bind: BindFn): BoundExpr {
  const [widthArg, timeArg, originArg] = call.args
  const widthText = constantText(widthArg)
  if (timeArg === undefined || call.args.length > 3) throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
  if (widthText === null) throw featureNotSupported('time_bucket with a non-constant width', call.pos + 1)
  const widthUs = parseIntervalUs(widthText)
  if (widthUs <= 0) throw featureNotSupported('time_bucket with a width that is not positive', call.pos + 1)
  const arg = bind(ctx, timeArg)
  if (!isTimestampType(arg.type.name)) throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
  const originText = constantText(originArg)
  if (originArg !== undefined && originText === null) throw featureNotSupported('time_bucket with a non-constant origin', call.pos + 1)
  const originUs = originText === null ? TIME_BUCKET_ORIGIN_US : parseTimestampUs(originText)
  return { kind: 'BoundTimeBucket', widthUs, originUs, arg, type: arg.type }
}

export function bindCall(ctx: BindContext, call: CallExpr, bind: BindFn): BoundExpr {
  const aggregate = AGGREGATES.find((fn) => fn === call.name)
  if (aggregate !== undefined) return bindAggregate(ctx, call, aggregate, bind)
  if (call.name === 'time_bucket') return bindTimeBucket(ctx, call, bind)
  const scalar = Object.hasOwn(SCALARS, call.name) ? SCALARS[call.name] : undefined
  if (scalar === undefined || scalar.arity !== call.args.length) throw undefinedFunction(signature(ctx, call, bind), call.pos + 1)
  const args = call.args.map((arg) => {
    const bound = bind(ctx, arg)
    return bound.kind === 'BoundConst' && bound.type.name === 'unknown' ? { ...bound, type: sqlType('text') } : bound
  })
  return { kind: 'BoundScalarCall', fn: scalar.fn, args, type: scalar.type }
}
