// sql/bind/coerce: giving expressions the types their context needs — unknown literals and parameters take the
// expected type, other expressions get implicit or explicit Cast nodes — and overload resolution of functions and
// operators against the registry (sql/bind/overload.ts: func_select_candidate's rules).
import { JSONB_SCALAR_TARGETS } from '../exec/value-ops.js'
import { ambiguousFunctionCall, ambiguousOperator, cannotCoerce, featureNotSupported, undefinedFunction, undefinedOperator } from '../../src/common/errors.js'
import { applyTypmod } from '../expr/typmod.js'
import type { SqlValue } from '../api.js'
import { castText } from '../expr/cast-value.js'
import { isIntervalStyleDependent } from '../expr/interval.js'
import type { ScalarFunction } from '../functions/function-def.js'
import { scalarOverloads } from '../functions/registry.js'
import type { BindContext } from './bind-expr.js'
import type { Expr } from './expr.js'
import { chooseOverloadCached } from './overload-cache.js'
import { pgOnlyOverloads } from './overload.js'
import { categoryOf, formatName } from './type-rules.js'
import { sqlType, type PgTypeName, type SqlType } from './types.js'

/**
 * Types whose literal text reads differently per session or statement ('2024-01-01 12:00' in the session TimeZone,
 * 'now', 'today'; an interval such as '-1 2:00:00' in IntervalStyle sql_standard): their unknown literals become Cast
 * nodes evaluated with the statement's context, not at bind time.
 */
const SESSION_DEPENDENT: ReadonlySet<string> = new Set(['timestamptz', 'timestamp', 'date', 'time', 'timetz', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace'])

export function constOf(value: SqlValue, type: SqlType): Expr {
  return { kind: 'Const', value, type }
}

/** Gives `expr` the type `target` (implicit context): unknowns are typed, other types get a Cast node. */
export function coerce(ctx: BindContext, expr: Expr, target: SqlType, isExplicit = false): Expr {
  if (target.name === 'unknown') return expr
  if (expr.type.name === target.name && (expr.type.typmod === target.typmod || target.typmod < 0)) return expr
  if (expr.type.name === 'unknown') {
    if (expr.kind === 'Const') {
      if (typeof expr.value === 'string' && (SESSION_DEPENDENT.has(target.name) || (target.name === 'interval' && isIntervalStyleDependent(expr.value)))) {
        return { kind: 'Cast', expr, type: target }
      }
      const value = typeof expr.value === 'string' ? castText(expr.value, target) : expr.value
      return constOf(applyTypmod(value, target, isExplicit), target)
    }
    if (expr.kind === 'Param') {
      ctx.paramTypes[expr.index] = target
      return { ...expr, type: target }
    }
  }
  return { kind: 'Cast', expr, type: target }
}

/** Whether PostgreSQL has a cast (any context) from one type to the other. */
export function hasCast(from: PgTypeName, to: PgTypeName): boolean {
  if (from === to || from === 'unknown') return true
  // time casts to interval and timetz, and from interval, timestamp, timestamptz and timetz; timetz casts to time, and
  // from time and timestamptz (pg_cast); neither meets another datetime type.
  const a = categoryOf(from)
  const b = categoryOf(to)
  if (a === 'S' || b === 'S') return true // every type has text I/O casts
  if (from === 'time') return to === 'interval' || to === 'timetz'
  if (to === 'time') return from === 'interval' || from === 'timestamp' || from === 'timestamptz' || from === 'timetz'
  if (from === 'timetz') return false // to time was answered just above
  if (to === 'timetz') return from === 'timestamptz'
  if ((a === 'J' && b === 'K') || (a === 'K' && b === 'J')) return true // json ↔ jsonb
  if (from === 'jsonb' && JSONB_SCALAR_TARGETS[to] !== undefined) return true // jsonb_bool, jsonb_numeric, jsonb_int4, …
  if (a === b) return true
  // int4 ↔ bool; int ↔ float ↔ numeric are within N.
  return (a === 'N' && b === 'B' && from === 'int4') || (a === 'B' && b === 'N' && to === 'int4')
}

/** An explicit cast (CAST, ::, typed literal): literals are converted now, so '2024-13-01'::date fails at bind (22008). */
export function toType(ctx: BindContext, expr: Expr, target: SqlType, pos: number): Expr {
  if (!hasCast(expr.type.name, target.name)) throw cannotCoerce(formatName(expr.type), formatName(target), pos + 1)
  if (expr.type.name === 'unknown') return coerce(ctx, expr, target, true)
  if (expr.type.name === target.name && expr.type.typmod === target.typmod) return expr
  return { kind: 'Cast', expr, type: target, isExplicit: true }
}

/** Result type of a resolved scalar function. */
export function resultType(fn: ScalarFunction, args: ReadonlyArray<SqlType>): SqlType {
  return typeof fn.result === 'function' ? fn.result(args) : sqlType(fn.result)
}

/** Casts the arguments to the chosen overload's types. */
export function coerceArgs(ctx: BindContext, args: ReadonlyArray<Expr>, targets: ReadonlyArray<PgTypeName | 'any'>, anyAsText = false): Expr[] {
  return args.map((arg, i) => {
    const target = targets[i]
    if (target === undefined || target === 'any') {
      // Scalar 'any' arguments (concat, format) are printed as text, so they take text's output form here.
      // bool keeps its value: its output form ('t') is not its cast to text ('true').
      if (anyAsText && categoryOf(arg.type.name) !== 'S' && arg.type.name !== 'bool') return coerce(ctx, arg, sqlType('text'))
      return arg.type.name === 'unknown' ? coerce(ctx, arg, sqlType('text')) : arg
    }
    return coerce(ctx, arg, sqlType(target))
  })
}

/**
 * The type an unknown operand beside `other` takes: other's type without modifier (operators have none), text beside
 * a character(n) (its operators other than comparisons take text: a pattern keeps its trailing blanks).
 */
function operandType(other: SqlType): SqlType {
  return sqlType(other.name === 'bpchar' ? 'text' : other.name)
}

/** An operator application ('+', '||', '~', prefix '-') resolved against the registry; 42883 when none fits. */
export function resolveOperator(ctx: BindContext, op: string, operands: ReadonlyArray<Expr>, pos: number): Expr {
  let args = [...operands]
  // An unknown operand takes the other's type when an operator of that type on both sides exists (PostgreSQL's
  // first check); otherwise it is resolved with the candidates (jsonb -> 'key' takes text).
  const hasSameTypeOperator = (type: SqlType): boolean =>
    scalarOverloads(op).some((fn) => fn.args.length === 2 && fn.args[0] === operandType(type).name && fn.args[1] === operandType(type).name)
  if (args.length === 2 && op !== '||' && args[0]!.type.name === 'unknown' && args[1]!.type.name !== 'unknown' && hasSameTypeOperator(args[1]!.type)) args[0] = coerce(ctx, args[0]!, operandType(args[1]!.type))
  else if (args.length === 2 && args[1]!.type.name === 'unknown' && args[0]!.type.name !== 'unknown' && op !== '||' && hasSameTypeOperator(args[0]!.type)) args[1] = coerce(ctx, args[1]!, operandType(args[0]!.type))
  const isArrayConcat = op === '||' && args.some((arg) => categoryOf(arg.type.name) === 'A')
  // bytea || bytea and jsonb || jsonb keep their types (an unknown beside them takes it); everything else
  // concatenates as text — character(n) too, its blanks trimmed, as PostgreSQL's || (text, text) sees it.
  const typedConcat = op === '||' ? args.find((arg) => arg.type.name === 'bytea' || arg.type.name === 'jsonb')?.type : undefined
  if (typedConcat !== undefined && args.every((arg) => arg.type.name === typedConcat.name || arg.type.name === 'unknown')) {
    args = args.map((arg) => coerce(ctx, arg, typedConcat))
  } else if (op === '||' && !isArrayConcat) args = args.map((arg) => ((categoryOf(arg.type.name) === 'S' && arg.type.name !== 'bpchar') || arg.type.name === 'unknown' ? arg : { kind: 'Cast', expr: arg, type: sqlType('text') }))
  const overloads = scalarOverloads(op)
  const picked = chooseOverloadCached(overloads, 'op', () => overloads, args.map((arg) => arg.type), () => pgOnlyOverloads(op, 'operator'))
  const signature = (types: ReadonlyArray<string>): string => (types.length === 1 ? `${op} ${types[0]}` : `${types[0]} ${op} ${types[1]}`)
  if (picked !== null && picked !== 'ambiguous' && 'unsupported' in picked) throw featureNotSupported(`operator ${signature(picked.unsupported)}`, pos + 1)
  if (picked === null || picked === 'ambiguous') {
    const types = args.map((arg) => formatName(arg.type))
    throw picked === null ? undefinedOperator(signature(types), pos + 1, types.length === 1) : ambiguousOperator(signature(types), pos + 1)
  }
  const coerced = coerceArgs(ctx, args, picked.targets)
  // Regular expressions (and SIMILAR TO, which arrives as ~) match character(n) with its blanks (bpcharregexeq).
  if (REGEX_OPS.has(op) && args[0]!.type.name === 'bpchar') coerced[0] = args[0]!
  return { kind: 'Call', fn: picked.fn, args: coerced, type: resultType(picked.fn, coerced.map((arg) => arg.type)) }
}

const REGEX_OPS: ReadonlySet<string> = new Set(['~', '~*', '!~', '!~*'])

/** A scalar function call resolved against the registry; 42883 naming the signature when none fits. */
export function resolveFunction(ctx: BindContext, name: string, args: ReadonlyArray<Expr>, pos: number): Expr {
  const overloads = scalarOverloads(name)
  const picked = chooseOverloadCached(overloads, 'fn', () => overloads, args.map((arg) => arg.type), () => pgOnlyOverloads(name, 'function'))
  const signature = (): string => `${name}(${args.map((arg) => formatName(arg.type)).join(', ')})`
  if (picked === null) throw undefinedFunction(signature(), pos + 1)
  if (picked === 'ambiguous') throw ambiguousFunctionCall(signature(), pos + 1)
  if ('unsupported' in picked) throw featureNotSupported(`function ${name}(${picked.unsupported.join(', ')})`, pos + 1)
  const coerced = coerceArgs(ctx, args, picked.targets, name !== 'num_nulls' && name !== 'num_nonnulls' && picked.fn.evaluateTyped === undefined)
  return { kind: 'Call', fn: picked.fn, args: coerced, type: resultType(picked.fn, coerced.map((arg) => arg.type)) }
}
