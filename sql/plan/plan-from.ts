// sql/plan/plan-from: the FROM clause → a plan and the Scope its columns are visible in. Tables become ScanNodes
// (every column; filters are pushed later), subqueries and CTE references plan recursively, joins become JoinNodes
// (equi-join keys found in ON/USING feed the hash join; the rest of the condition stays as a residual).
import { OP_VERSION, type ScanOp, type TableSchema } from '../../engine/ops.js'
import { duplicateAlias, featureNotSupported, invalidColumnReference, undefinedColumn, undefinedFunction, undefinedTable } from '../../src/common/errors.js'
import { bindComparison, bindExpr, toBool } from '../bind/bind-expr.js'
import { columnType, tableOid, visibleColumns } from '../bind/catalog.js'
import { coerce } from '../bind/coerce.js'
import type { Expr } from '../bind/expr.js'
import { Scope, type ScopeColumn } from '../bind/scope.js'
import { sqlType } from '../bind/types.js'
import { bindSetReturning, isJsonSetReturning, isTextSetReturning, isTwoColumnJsonSrf, type SetReturningName } from '../bind/bind-srf.js'
import type { SqlCallExpr, SqlFromItem } from '../parse/ast.js'
import { findVirtualTable, isVirtualSchema } from '../catalog/virtual-tables.js'
import { findView } from '../catalog/view-definition.js'
import { planViewItem } from './plan-view.js'
import { conjuncts } from './pushdown.js'
import type { JoinType, PlanColumn, PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'
import { outerSlots } from './outer-refs.js'

export interface FromResult {
  readonly plan: PlanNode
  readonly columns: ReadonlyArray<ScopeColumn>
}

function scanOf(table: TableSchema, alias: string, columnAliases: ReadonlyArray<string> | null): FromResult {
  const oid = tableOid(table)
  const planColumns: PlanColumn[] = table.columns.map((column, i) => ({
    name: columnAliases?.[i] ?? column.name, type: columnType(table, i), tableOid: oid, columnAttr: i + 1,
  }))
  const op: ScanOp = {
    kind: 'ScanOp', v: OP_VERSION, tableId: table.id, timeRange: { fromUs: -Infinity, toUs: Infinity },
    filters: [], projection: table.columns.map((_, i) => i), groupBy: [], aggregates: [], limit: null,
  }
  const plan: PlanNode = { kind: 'ScanNode', op, tableName: table.name, columns: planColumns }
  // Slots stay the table's column indices; columns hidden by ALTER TABLE … DROP COLUMN are simply not in scope.
  const visible = visibleColumns(table)
  const columns = visible.map(({ index }) => {
    const c = planColumns[index]!
    return { qualifier: alias, name: c.name, type: c.type, slot: index, tableOid: oid, columnAttr: c.columnAttr }
  })
  return { plan, columns }
}

function derived(plan: PlanNode, alias: string | null, columnAliases: ReadonlyArray<string> | null, pos: number): FromResult {
  if (columnAliases !== null && columnAliases.length > plan.columns.length) {
    throw invalidColumnReference(`table "${alias ?? ''}" has ${plan.columns.length} columns available but ${columnAliases.length} columns specified`, pos + 1)
  }
  const columns = plan.columns.map((c, slot) => ({ qualifier: alias, name: columnAliases?.[slot] ?? c.name, type: c.type, slot, tableOid: 0, columnAttr: 0 }))
  return { plan: { ...plan, columns: plan.columns.map((c, i) => ({ ...c, name: columns[i]!.name })) } as PlanNode, columns }
}

function planTable(planner: Planner, item: Extract<SqlFromItem, { kind: 'FromTable' }>): FromResult {
  const alias = item.alias ?? item.name
  if (item.schema === null) {
    const cte = planner.findCte(item.name, item.pos)
    if (cte !== null) {
      const plan: PlanNode = { kind: 'CteScanNode', cteId: cte.cteId, name: item.name, columns: cte.columns }
      return derived(plan, alias, item.columnAliases, item.pos)
    }
  }
  const virtual = findVirtualTable(item.schema, item.name)
  if (virtual !== undefined) {
    const columns = virtual.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: virtual.oid, columnAttr: i + 1 }))
    const base = derived({ kind: 'VirtualScanNode', table: virtual, columns }, alias, item.columnAliases, item.pos)
    // tableoid (attnum -6), as every PostgreSQL relation has: psql joins pg_description on it. The scan appends it.
    const tableoid = { name: 'tableoid', type: sqlType('oid'), tableOid: virtual.oid, columnAttr: -6 }
    const plan = { ...base.plan, columns: [...base.plan.columns, tableoid] } as PlanNode
    return { plan, columns: [...base.columns, { ...tableoid, qualifier: alias, slot: columns.length, system: true }] }
  }
  if (item.schema !== null && isVirtualSchema(item.schema)) throw undefinedTable(`${item.schema}.${item.name}`, item.pos + 1)
  if (item.schema !== null && item.schema !== 'public') {
    throw featureNotSupported(`relations in schema "${item.schema}"`, item.pos + 1)
  }
  const table = planner.engine.tables().find((t) => t.name === item.name)
  if (table === undefined) {
    const view = findView(planner.engine, item.name)
    if (view === undefined) throw undefinedTable(item.name, item.pos + 1)
    planner.noteRelation(item.name)
    return planViewItem(planner, view, alias, item.columnAliases, item.pos)
  }
  planner.noteRelation(item.name)
  return scanOf(table, alias, item.columnAliases)
}

/** Function calls in FROM and LATERAL subqueries may read the columns of the FROM items before them. */
function isLateral(item: SqlFromItem): boolean {
  return (item.kind === 'FromSubquery' && item.lateral) || item.kind === 'FromFunction'
}

/** `item` planned able to read `left`'s columns (as Outer depth 1), or null when it reads none of them. */
function planLateralItem(planner: Planner, item: SqlFromItem, left: FromResult, outer: Scope | null): FromResult | null {
  if (!isLateral(item)) return null
  const planned = planFromItem(planner, item, new Scope(left.columns, outer))
  return outerSlots(planned.plan).length > 0 ? planned : null
}

/** A join whose right side is run once per left row with it as the outer row (memoized on the slots it reads). */
function lateralJoin(type: JoinType, left: PlanNode, right: PlanNode, condition: Expr | null, pos: number): PlanNode {
  if (type !== 'inner' && type !== 'left') {
    throw invalidColumnReference('invalid reference to FROM-clause entry: the combining JOIN type must be INNER or LEFT for a LATERAL reference', pos + 1)
  }
  return { kind: 'LateralJoinNode', type, left, right, condition, columns: [...left.columns, ...right.columns] }
}

function planJoin(planner: Planner, item: Extract<SqlFromItem, { kind: 'FromJoin' }>, outer: Scope | null): FromResult {
  const left = planFromItem(planner, item.left, outer)
  const lateral = planLateralItem(planner, item.right, left, outer)
  const right = lateral ?? planFromItem(planner, item.right, outer)
  checkDistinctNames(left.columns, right.columns)
  const shift = left.columns.length
  const rightColumns = right.columns.map((c) => ({ ...c, slot: c.slot + shift }))
  let columns: ScopeColumn[] = [...left.columns, ...rightColumns]
  const scope = new Scope(columns, outer)
  const ctx = planner.bindContext(scope, 'JOIN conditions')
  let condition: Expr | null = null
  if (item.on !== null) condition = toBool(ctx, bindExpr(ctx, item.on), 'JOIN/ON', item.pos)
  const using = item.natural
    ? left.columns.filter((l) => !l.hidden && !l.system && rightColumns.some((r) => r.name === l.name)).map((l) => l.name)
    : item.using ?? []
  if (using.length > 0) {
    const tests = using.map((name) => {
      const l = left.columns.find((c) => c.name === name && !c.hidden && !c.system)
      const r = rightColumns.find((c) => c.name === name && !c.hidden && !c.system)
      if (l === undefined || r === undefined) throw undefinedColumn(name, item.pos + 1)
      return bindComparison(ctx, '=', { kind: 'Slot', slot: l.slot, type: l.type, name }, { kind: 'Slot', slot: r.slot, type: r.type, name }, item.pos)
    })
    condition = tests.length === 1 ? tests[0]! : { kind: 'And', args: tests, type: sqlType('bool') }
    // USING merges the key: the bare name means the left column (for RIGHT/FULL joins PostgreSQL takes COALESCE; refused below).
    if (item.type === 'right' || item.type === 'full') throw featureNotSupported(`${item.type.toUpperCase()} JOIN with USING`, item.pos + 1)
    columns = columns.map((c) => (c.slot >= shift && using.includes(c.name) ? { ...c, hidden: true } : c))
  }
  const type: JoinType = item.type === 'cross' ? 'inner' : item.type
  const plan = lateral !== null ? lateralJoin(type, left.plan, right.plan, condition, item.pos) : joinNode(type, left.plan, right.plan, condition, shift)
  return { plan, columns }
}

/** Builds a JoinNode, taking `a = b` conjuncts between the two sides as hash keys. */
export function joinNode(type: JoinType, left: PlanNode, right: PlanNode, condition: Expr | null, shift: number): PlanNode {
  const leftKeys: Expr[] = []
  const rightKeys: Expr[] = []
  const rest: Expr[] = []
  const side = (e: Expr): 'l' | 'r' | null => {
    let found: 'l' | 'r' | null = null
    let mixed = false
    const visit = (x: Expr): void => {
      if (x.kind === 'Outer' || x.kind === 'Subquery') mixed = true
      if (x.kind === 'Slot') { const s = x.slot < shift ? 'l' : 'r'; if (found !== null && found !== s) mixed = true; found = s }
      childrenOf(x).forEach(visit)
    }
    visit(e)
    return mixed ? null : found
  }
  for (const conjunct of condition === null ? [] : conjuncts(condition)) {
    if (conjunct.kind === 'Compare' && conjunct.op === '=' && side(conjunct.left) !== null && side(conjunct.right) !== null && side(conjunct.left) !== side(conjunct.right)) {
      const [l, r] = side(conjunct.left) === 'l' ? [conjunct.left, conjunct.right] : [conjunct.right, conjunct.left]
      leftKeys.push(l)
      rightKeys.push(shiftSlots(r, -shift))
    } else rest.push(conjunct)
  }
  const residual = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'And' as const, args: rest, type: sqlType('bool') }
  const columns = type === 'semi' || type === 'anti' ? left.columns : [...left.columns, ...right.columns]
  return { kind: 'JoinNode', type, left, right, leftKeys, rightKeys, condition: residual, columns }
}

import { children as childrenOf, mapExpr } from '../bind/expr.js'

function shiftSlots(expr: Expr, by: number): Expr {
  return mapExpr(expr, (node) => (node.kind === 'Slot' ? { ...node, slot: node.slot + by } : undefined))
}

export function planFromItem(planner: Planner, item: SqlFromItem, outer: Scope | null): FromResult {
  switch (item.kind) {
    case 'FromTable': return planTable(planner, item)
    case 'FromSubquery': {
      const { plan } = planner.planQuery(item.query, outer)
      return derived(plan, item.alias, item.columnAliases, item.pos)
    }
    case 'FromFunction': return planFunction(planner, item, outer)
    case 'FromJoin': return planJoin(planner, item, outer)
  }
}

type FunctionItem = Extract<SqlFromItem, { kind: 'FromFunction' }>

/** The calls of ROWS FROM (…), WITH ORDINALITY or unnest(a, b, …) — PostgreSQL's shorthand for ROWS FROM (unnest(a), unnest(b), …) — else null. */
function rowsFromCalls(item: FunctionItem): ReadonlyArray<SqlCallExpr> | null {
  const calls = (item.rowsFrom ?? [item.call]).flatMap((call) => (call.name === 'unnest' && call.args.length > 1 ? call.args.map((arg) => ({ ...call, args: [arg] })) : [call]))
  return calls.length > 1 || item.rowsFrom !== undefined || item.ordinality === true ? calls : null
}

/**
 * Each call planned alone, side by side. Columns are named as PostgreSQL's chooseScalarFunctionAlias names them: a
 * lone function's one column takes the alias, otherwise each column its function's; then `ordinality`; the column
 * aliases rename them in order.
 */
function planRowsFrom(planner: Planner, item: FunctionItem, calls: ReadonlyArray<SqlCallExpr>, outer: Scope | null): FromResult {
  const parts = calls.map((call) => planFunction(planner, { ...item, call, rowsFrom: undefined, ordinality: undefined, alias: null, columnAliases: null, pos: call.pos }, outer).plan)
  const lone = parts.length === 1 && parts[0]!.columns.length === 1 && item.alias !== null
  const columns = parts.flatMap((part) => part.columns.map((c) => ({ ...c, name: lone ? item.alias! : c.name, tableOid: 0, columnAttr: 0 })))
  if (item.ordinality === true) columns.push({ name: 'ordinality', type: sqlType('int8'), tableOid: 0, columnAttr: 0 })
  const plan: PlanNode = { kind: 'RowsFromNode', parts, ordinality: item.ordinality === true, columns }
  return derived(plan, item.alias ?? calls[0]!.name, item.columnAliases, item.pos)
}

function planFunction(planner: Planner, item: FunctionItem, outer: Scope | null): FromResult {
  const calls = rowsFromCalls(item)
  if (calls !== null) return planRowsFrom(planner, item, calls, outer)
  if (item.columnAliases !== null && item.columnAliases.length > 1 && item.call.name !== 'pg_options_to_table' && !(isJsonSetReturning(item.call.name) && isTwoColumnJsonSrf(item.call.name))) {
    throw invalidColumnReference(`table "${item.alias ?? item.call.name}" has 1 columns available but ${item.columnAliases.length} columns specified`, item.pos + 1)
  }
  if (item.call.name === 'unnest' || isJsonSetReturning(item.call.name) || isTextSetReturning(item.call.name)) return planUnnest(planner, item, outer)
  if (item.call.name === 'pg_options_to_table') return planOptionsToTable(planner, item, outer)
  if (item.call.name !== 'generate_series') return planScalarFunction(planner, item, outer)
  const ctx = planner.bindContext(new Scope([], outer), 'functions in FROM')
  const { args, type } = bindSetReturning(ctx, 'generate_series', item.call.args.map((arg) => bindExpr(ctx, arg)), item.pos)
  const name = item.columnAliases?.[0] ?? item.alias ?? 'generate_series'
  const plan: PlanNode = { kind: 'FunctionScanNode', fn: 'generate_series', args, columns: [{ name, type, tableOid: 0, columnAttr: 0 }] }
  return { plan, columns: [{ qualifier: item.alias ?? 'generate_series', name, type, slot: 0, tableOid: 0, columnAttr: 0 }] }
}

/** A scalar function in FROM (string_to_array(…) s): one row, one column named by the alias, as PostgreSQL does. */
function planScalarFunction(planner: Planner, item: Extract<SqlFromItem, { kind: 'FromFunction' }>, outer: Scope | null): FromResult {
  const ctx = planner.bindContext(new Scope([], outer), 'functions in FROM')
  const value = bindExpr(ctx, item.call)
  if (value.kind === 'Aggregate' || value.kind === 'Window') throw featureNotSupported(`${item.call.name}() in FROM`, item.pos + 1)
  const name = item.columnAliases?.[0] ?? item.alias ?? item.call.name
  const plan: PlanNode = { kind: 'ValuesNode', rows: [[value]], columns: [{ name, type: value.type, tableOid: 0, columnAttr: 0 }] }
  return { plan, columns: [{ qualifier: item.alias ?? item.call.name, name, type: value.type, slot: 0, tableOid: 0, columnAttr: 0 }] }
}

/**
 * unnest(array) over a one-dimensional array (text form): one row per element; the json set-returning functions
 * likewise (json(b)_each and json(b)_each_text with two columns, key and value).
 */
function planUnnest(planner: Planner, item: Extract<SqlFromItem, { kind: 'FromFunction' }>, outer: Scope | null): FromResult {
  const ctx = planner.bindContext(new Scope([], outer), 'functions in FROM')
  const fn = item.call.name as SetReturningName
  const { args, type } = bindSetReturning(ctx, fn, item.call.args.map((arg) => bindExpr(ctx, arg)), item.pos)
  const qualifier = item.alias ?? fn
  const outputs = isJsonSetReturning(fn) && isTwoColumnJsonSrf(fn)
    ? [{ name: item.columnAliases?.[0] ?? 'key', type: sqlType('text') }, { name: item.columnAliases?.[1] ?? 'value', type }]
    : [{ name: item.columnAliases?.[0] ?? item.alias ?? fn, type }]
  const columns = outputs.map(({ name, type: t }) => ({ name, type: t, tableOid: 0, columnAttr: 0 }))
  const plan: PlanNode = { kind: 'FunctionScanNode', fn, args, columns }
  return { plan, columns: columns.map((column, slot) => ({ ...column, qualifier, slot })) }
}

/** pg_options_to_table(text[]): the 'name=value' elements of an options array as (option_name, option_value) rows. */
function planOptionsToTable(planner: Planner, item: Extract<SqlFromItem, { kind: 'FromFunction' }>, outer: Scope | null): FromResult {
  const ctx = planner.bindContext(new Scope([], outer), 'functions in FROM')
  if (item.call.args.length !== 1) throw undefinedFunction('pg_options_to_table', item.pos + 1)
  const arg = coerce(ctx, bindExpr(ctx, item.call.args[0]!), sqlType('_text'))
  const qualifier = item.alias ?? 'pg_options_to_table'
  const names = ['option_name', 'option_value'].map((name, i) => item.columnAliases?.[i] ?? name)
  const columns = names.map((name) => ({ name, type: sqlType('text'), tableOid: 0, columnAttr: 0 }))
  const plan: PlanNode = { kind: 'FunctionScanNode', fn: 'pg_options_to_table', args: [arg], columns }
  return { plan, columns: columns.map((column, slot) => ({ ...column, qualifier, slot })) }
}

/** 42712 when the two sides of a join (or of the FROM list's comma) both hold an item of one name, as PostgreSQL. */
function checkDistinctNames(left: ReadonlyArray<ScopeColumn>, right: ReadonlyArray<ScopeColumn>): void {
  const names = new Set(left.map((c) => c.qualifier))
  const clash = right.find((c) => c.qualifier !== null && names.has(c.qualifier))
  if (clash !== undefined) throw duplicateAlias(clash.qualifier!) // PostgreSQL gives no position
}

/** The whole FROM list: comma-separated items are cross joins, left to right. */
export function planFrom(planner: Planner, items: ReadonlyArray<SqlFromItem>, outer: Scope | null): FromResult {
  if (items.length === 0) return { plan: { kind: 'ValuesNode', rows: [[]], columns: [] }, columns: [] }
  let result = planFromItem(planner, items[0]!, outer)
  for (const item of items.slice(1)) {
    const lateral = planLateralItem(planner, item, result, outer)
    const right = lateral ?? planFromItem(planner, item, outer)
    checkDistinctNames(result.columns, right.columns)
    const shift = result.columns.length
    const columns = [...result.columns, ...right.columns.map((c) => ({ ...c, slot: c.slot + shift }))]
    const plan = lateral !== null ? lateralJoin('inner', result.plan, right.plan, null, item.pos) : joinNode('inner', result.plan, right.plan, null, shift)
    result = { plan, columns }
  }
  return result
}
