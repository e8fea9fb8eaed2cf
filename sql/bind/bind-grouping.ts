// sql/bind/bind-grouping: GROUPING(a, …) and the grouping sets of a query (GROUPING SETS / ROLLUP / CUBE, expanded by
// sql/parse/adapt-grouping.ts). GROUPING binds to a marker call over its arguments; once the grouped query's
// expressions are rewritten onto the aggregate's slots, resolveGrouping checks each argument is a grouping key and
// replaces the call by the set's bit mask (bit n-1-i set when argument i is not grouped in the row's set), read from
// the grouping-set index column the plan carries — or 0 for a plain GROUP BY, as PostgreSQL.
import { AssertionError } from '../../src/common/assert.js'
import { groupingMisuse, tooManyArguments } from '../../src/common/errors.js'
import type { ScalarFunction } from '../functions/function-def.js'
import type { SqlExpr } from '../parse/ast.js'
import type { BindContext } from './bind-expr.js'
import { exprKey, mapExpr, type Expr } from './expr.js'
import { sqlType } from './types.js'

const INT4 = sqlType('int4')
/** The aggregate key that carries the row's grouping-set index; a Param index no statement can have. */
export const GROUPING_SET_KEY: Expr = { kind: 'Param', index: -1, type: INT4 }

const GROUPING_MARKER: ScalarFunction = {
  name: 'grouping', args: [], variadic: 'any', result: 'int4', strict: false, volatility: 'immutable',
  evaluate: () => { throw new AssertionError('GROUPING() evaluated before its grouping sets were resolved') },
}

const groupingErrorOf = (message: string, pos: number): Error => groupingMisuse(message, pos + 1)

export function bindGrouping(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprGrouping' }>, bind: (ctx: BindContext, e: SqlExpr) => Expr): Expr {
  if (!ctx.allowAggregates) throw groupingErrorOf(`grouping operations are not allowed in ${ctx.clause}`, expr.pos)
  if (expr.args.length > 31) throw tooManyArguments('GROUPING must have fewer than 32 arguments', expr.pos + 1)
  const inner: BindContext = { ...ctx, allowAggregates: false, clause: 'arguments of GROUPING' }
  return { kind: 'Call', fn: GROUPING_MARKER, args: expr.args.map((arg) => bind(inner, arg)), type: INT4 }
}

/** Keys without repeats (by bound expression) and each set as indices into them, each index once. */
export function distinctKeys(bound: ReadonlyArray<Expr>, sets: ReadonlyArray<ReadonlyArray<number>> | null): { keys: Expr[]; sets: number[][] | null } {
  const keys: Expr[] = []
  const seen = new Map<string, number>()
  const indexOf = bound.map((key) => {
    const k = exprKey(key)
    let index = seen.get(k)
    if (index === undefined) { index = keys.push(key) - 1; seen.set(k, index) }
    return index
  })
  return { keys, sets: sets === null ? null : sets.map((set) => [...new Set(set.map((i) => indexOf[i]!))]) }
}

/**
 * Replaces each GROUPING call of an expression already rewritten onto the aggregate's output (keys in slots
 * 0..keyCount-1, the set index in slot keyCount when there are sets) by its value.
 */
export function resolveGrouping(expr: Expr, sets: ReadonlyArray<ReadonlyArray<number>> | null, keyCount: number): Expr {
  return mapExpr(expr, (node) => {
    if (node.kind !== 'Call' || node.fn !== GROUPING_MARKER) return undefined
    const keyIndexes = node.args.map((arg) => {
      if (arg.kind !== 'Slot' || arg.slot >= keyCount) throw groupingMisuse('arguments to GROUPING must be grouping expressions of the associated query level')
      return arg.slot
    })
    if (sets === null) return { kind: 'Const', value: 0, type: INT4 }
    const masks = sets.map((set) => keyIndexes.reduce((mask, key) => (mask << 1) | (set.includes(key) ? 0 : 1), 0))
    const fn: ScalarFunction = {
      name: 'grouping', args: ['int4'], result: 'int4', strict: true, volatility: 'immutable', evaluate: ([set]) => masks[Number(set)] ?? null,
    }
    return { kind: 'Call', fn, args: [{ kind: 'Slot', slot: keyCount, type: INT4, name: '' }], type: INT4 }
  })
}
