// sql/parse/adapt-call: PostgreSQL's FuncCall and WindowDef nodes → ExprCall and SqlWindowSpec, including the
// frameOptions bitmask. The expression adapter is passed in, so this module does not import adapt-expr.ts back.
import type { SqlExpr, SqlFrameBound, SqlOrderItem, SqlWindowSpec } from './ast.js'
import { type AdaptContext, type AdaptExpr, type Node, bool, list, loc, nodeField, num, str, stringList, unsupported, wrapped } from './adapt-node.js'
import { syntaxError, undefinedFunction } from '../../src/common/errors.js'

export interface CallAdapters {
  readonly adaptExpr: AdaptExpr
  readonly adaptSortBy: (ctx: AdaptContext, value: unknown) => SqlOrderItem
}

/** PostgreSQL's FRAMEOPTION_* bits (src/include/nodes/parsenodes.h, unchanged from 11 to 18). */
const enum Frame {
  NonDefault = 0x1, Range = 0x2, Rows = 0x4, Groups = 0x8,
  StartUnboundedPreceding = 0x20, EndUnboundedPreceding = 0x40, StartUnboundedFollowing = 0x80,
  EndUnboundedFollowing = 0x100, StartCurrentRow = 0x200, EndCurrentRow = 0x400, StartOffsetPreceding = 0x800,
  EndOffsetPreceding = 0x1000, StartOffsetFollowing = 0x2000, EndOffsetFollowing = 0x4000,
  ExcludeCurrentRow = 0x8000, ExcludeGroup = 0x10000, ExcludeTies = 0x20000,
}

/** One end of the frame from its four bits; `offset` is the startOffset/endOffset expression. */
function frameBound(options: number, bits: { unboundedPreceding: number; unboundedFollowing: number; currentRow: number;
  offsetPreceding: number; offsetFollowing: number }, offset: () => SqlExpr, pos: number): SqlFrameBound {
  if ((options & bits.unboundedPreceding) !== 0) return { kind: 'unboundedPreceding', offset: null }
  if ((options & bits.unboundedFollowing) !== 0) return { kind: 'unboundedFollowing', offset: null }
  if ((options & bits.currentRow) !== 0) return { kind: 'currentRow', offset: null }
  if ((options & bits.offsetPreceding) !== 0) return { kind: 'preceding', offset: offset() }
  if ((options & bits.offsetFollowing) !== 0) return { kind: 'following', offset: offset() }
  return unsupported('this window frame bound', pos)
}

function frame(ctx: AdaptContext, def: Node, pos: number, adaptExpr: AdaptExpr): SqlWindowSpec['frame'] {
  const options = num(def, 'frameOptions')
  if ((options & Frame.NonDefault) === 0) return null
  if ((options & (Frame.ExcludeCurrentRow | Frame.ExcludeGroup | Frame.ExcludeTies)) !== 0) return unsupported('EXCLUDE in a window frame', pos)
  const mode = (options & Frame.Rows) !== 0 ? 'rows' : (options & Frame.Groups) !== 0 ? 'groups' : 'range'
  const start = frameBound(options, {
    unboundedPreceding: Frame.StartUnboundedPreceding, unboundedFollowing: Frame.StartUnboundedFollowing,
    currentRow: Frame.StartCurrentRow, offsetPreceding: Frame.StartOffsetPreceding, offsetFollowing: Frame.StartOffsetFollowing,
  }, () => adaptExpr(ctx, def.startOffset), pos)
  const end = frameBound(options, {
    unboundedPreceding: Frame.EndUnboundedPreceding, unboundedFollowing: Frame.EndUnboundedFollowing,
    currentRow: Frame.EndCurrentRow, offsetPreceding: Frame.EndOffsetPreceding, offsetFollowing: Frame.EndOffsetFollowing,
  }, () => adaptExpr(ctx, def.endOffset), pos)
  return { mode, start, end }
}

/**
 * A WindowDef: OVER w (name only), OVER (w ORDER BY …) (refname) or a full spec. In a WINDOW clause the def's own
 * name is the window's name (the caller takes it) and refname the window it refines.
 */
export function adaptWindowDef(ctx: AdaptContext, def: Node, isOverClause: boolean, adapters: CallAdapters): SqlWindowSpec {
  const pos = loc(ctx, def, ctx.statementPos)
  const refName = str(def, 'refname') || (isOverClause ? str(def, 'name') : '')
  return {
    refName: refName === '' ? null : refName,
    partitionBy: list(def, 'partitionClause').map((value) => adapters.adaptExpr(ctx, value)),
    orderBy: list(def, 'orderClause').map((value) => adapters.adaptSortBy(ctx, value)),
    frame: frame(ctx, def, pos, adapters.adaptExpr),
    pos,
  }
}

/** A defaulted parameter's value when a later one is named (pg_proc.proargdefaults). */
type DefaultValue = number | boolean | string

/**
 * Parameter names of the built-in functions that have them (pg_proc.proargnames), with the defaults PostgreSQL
 * gives the trailing ones (make_interval's are all 0): named notation (`make_interval(days => 2)`) is turned into
 * positions here.
 */
const NAMED_PARAMETERS: Readonly<Record<string, { readonly names: ReadonlyArray<string>; readonly defaults: ReadonlyArray<DefaultValue> }>> = {
  make_interval: { names: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'], defaults: [0, 0, 0, 0, 0, 0, 0] },
  make_date: { names: ['year', 'month', 'day'], defaults: [] },
  make_timestamp: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec'], defaults: [] },
  make_timestamptz: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'], defaults: [] },
  jsonb_set: { names: ['target', 'path', 'new_value', 'create_if_missing'], defaults: [true] },
  jsonb_insert: { names: ['target', 'path', 'new_value', 'insert_after'], defaults: [false] },
  jsonb_set_lax: { names: ['target', 'path', 'new_value', 'create_if_missing', 'null_value_treatment'], defaults: [true, 'use_json_null'] },
}

function defaultExpr(value: DefaultValue, pos: number): SqlExpr {
  if (typeof value === 'number') return { kind: 'ExprNumber', text: String(value), pos }
  return typeof value === 'boolean' ? { kind: 'ExprBool', value, pos } : { kind: 'ExprString', value, pos }
}

/** The call's arguments in positional order; named ones placed by the function's parameter names. */
function adaptArgs(ctx: AdaptContext, fnName: string, args: ReadonlyArray<unknown>, adapters: CallAdapters, pos: number): SqlExpr[] {
  const named = args.map((value) => wrapped(value, 'NamedArgExpr'))
  if (named.every((n) => n === null)) return args.map((value) => adapters.adaptExpr(ctx, value))
  const params = NAMED_PARAMETERS[fnName]
  if (params === undefined) return unsupported(`named arguments (name => value) to ${fnName}`, pos)
  const slots: Array<SqlExpr | undefined> = []
  args.forEach((value, i) => {
    const arg = named[i]
    if (arg === null) { slots[i] = adapters.adaptExpr(ctx, value); return }
    const name = str(arg, 'name')
    const at = params.names.indexOf(name)
    if (at < 0) throw undefinedFunction(`${fnName}(${name} => …)`, pos + 1)
    if (slots[at] !== undefined) throw syntaxError(`argument name "${name}" used more than once`, pos + 1)
    slots[at] = adapters.adaptExpr(ctx, nodeField(arg, 'arg'))
  })
  const filled: SqlExpr[] = []
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]
    if (slot !== undefined) filled.push(slot)
    else if (i >= params.names.length - params.defaults.length) filled.push(defaultExpr(params.defaults[i - params.names.length + params.defaults.length]!, pos))
    else throw undefinedFunction(`${fnName} with no value for its parameter "${params.names[i] ?? ''}"`, pos + 1)
  }
  return filled
}

export function adaptFuncCall(ctx: AdaptContext, node: Node, adapters: CallAdapters): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const names = stringList(list(node, 'funcname'))
  if (names === null || names.length === 0) return unsupported('this function name', pos)
  if (names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) {
    return unsupported(`a function qualified by schema "${names[0] ?? ''}"`, pos)
  }
  if (bool(node, 'func_variadic')) return unsupported('VARIADIC', pos)
  const filter = node.agg_filter === undefined ? null : adapters.adaptExpr(ctx, node.agg_filter)
  const over = nodeField(node, 'over')
  return {
    kind: 'ExprCall',
    name: names[names.length - 1] ?? '',
    schema: names.length === 2 ? 'pg_catalog' : null,
    args: adaptArgs(ctx, names[names.length - 1] ?? '', list(node, 'args'), adapters, pos),
    star: bool(node, 'agg_star'),
    distinct: bool(node, 'agg_distinct'),
    filter,
    orderBy: list(node, 'agg_order').map((value) => adapters.adaptSortBy(ctx, value)),
    withinGroup: bool(node, 'agg_within_group'),
    over: over === null ? null : adaptWindowDef(ctx, over, true, adapters),
    pos,
  }
}
