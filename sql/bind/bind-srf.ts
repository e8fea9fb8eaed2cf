// sql/bind/bind-srf: the set-returning functions nodedb has — generate_series and unnest — bound the one way for both
// places PostgreSQL allows them: in FROM (a FunctionScanNode) and in the select list (PostgreSQL's ProjectSet: each
// call expands its row into as many rows as the longest call returns, the shorter ones padded with NULL). In the
// select list a call binds to a marker the planner lifts into a ProjectSetNode; anywhere else it is 0A000, as
// PostgreSQL's "set-returning functions are not allowed in …".
import { AssertionError } from '../../src/common/assert.js'
import { featureNotSupported, undefinedFunction } from '../../src/common/errors.js'
import type { ScalarFunction } from '../functions/function-def.js'
import type { BindContext } from './bind-expr.js'
import { coerce } from './coerce.js'
import type { Expr } from './expr.js'
import { ELEMENT_OF, sqlType, type SqlType } from './types.js'

export type SetReturningName = 'generate_series' | 'unnest'

export function isSetReturningName(name: string): name is SetReturningName {
  return name === 'generate_series' || name === 'unnest'
}

/** The arguments cast as PostgreSQL resolves the call, and the type of the one column it returns. */
export function bindSetReturning(ctx: BindContext, name: SetReturningName, bound: ReadonlyArray<Expr>, pos: number): { args: Expr[]; type: SqlType } {
  if (name === 'unnest') {
    if (bound.length !== 1) throw featureNotSupported('unnest with other than one argument', pos + 1)
    const arg = bound[0]!
    const arrayType = arg.type.name === 'unknown' ? sqlType('_text') : arg.type
    const element = ELEMENT_OF[arrayType.name]
    if (element === undefined) throw undefinedFunction(`unnest(${arg.type.name})`, pos + 1)
    return { args: [coerce(ctx, arg, arrayType)], type: sqlType(element) }
  }
  if (bound.length < 2 || bound.length > 3) throw featureNotSupported('generate_series with this many arguments', pos + 1)
  const isTime = bound.some((a) => a.type.name === 'timestamptz' || a.type.name === 'timestamp' || a.type.name === 'interval')
  const isBig = bound.some((a) => a.type.name === 'int8')
  const isNumeric = bound.some((a) => a.type.name === 'numeric')
  if (isNumeric && !isTime) throw featureNotSupported('generate_series over numeric', pos + 1)
  const type = isTime ? sqlType(bound.some((a) => a.type.name === 'timestamp') ? 'timestamp' : 'timestamptz') : sqlType(isBig ? 'int8' : 'int4')
  return { args: bound.map((a, i) => coerce(ctx, a, i === 2 && isTime ? sqlType('interval') : type)), type }
}

const MARKERS: Readonly<Record<SetReturningName, ScalarFunction>> = {
  generate_series: marker('generate_series'),
  unnest: marker('unnest'),
}

function marker(name: SetReturningName): ScalarFunction {
  return {
    name, args: [], variadic: 'any', result: 'unknown', strict: false, volatility: 'volatile',
    evaluate: () => { throw new AssertionError(`${name}() in a select list evaluated outside its ProjectSetNode`) },
  }
}

/** A select-list call: the marker the planner lifts (sql/plan/plan-srf.ts); 0A000 where the clause allows none. */
export function bindSetReturningCall(ctx: BindContext, name: SetReturningName, args: ReadonlyArray<Expr>, pos: number): Expr {
  if (ctx.allowSetReturning !== true) throw featureNotSupported(`set-returning functions in ${ctx.clause}`, pos + 1)
  const bound = bindSetReturning(ctx, name, args, pos)
  return { kind: 'Call', fn: MARKERS[name], args: bound.args, type: bound.type }
}

/** The set-returning function of a lifted marker call, or null for any other expression. */
export function setReturningOf(expr: Expr): SetReturningName | null {
  if (expr.kind !== 'Call') return null
  return expr.fn === MARKERS.generate_series ? 'generate_series' : expr.fn === MARKERS.unnest ? 'unnest' : null
}
