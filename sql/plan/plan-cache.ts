// sql/plan/plan-cache: plans kept with their (cached, immutable) parsed query, so a statement sent again skips
// binding and planning. A plan is reused only when it cannot differ from a fresh one: the same parameter types, the
// same catalog (every table schema the same object: DDL replaces them), the same session settings (every value:
// TimeZone, DateStyle, search_path, disabled optimizers…; sessions of a pool with equal settings share plans), and
// nothing folded into it that depends on this execution — a plan that folded a $n value, a stable or volatile
// function (now(), current_setting()) or a literal that reads the clock ('now'::timestamptz) into its scans is never
// kept. Plans are plain data that execution only reads.
// A parse made from a literal template also finds its shape's plan, its literals' values bound in (shape-plan.ts).
import type { Engine } from '../../engine/api.js'
import type { SqlValue } from '../api.js'
import { PLAN_CACHE_PLANS_PER_STATEMENT_MAX_COUNT } from '../../src/common/limits.js'
import { paranoid } from '../../src/common/assert.js'
import { someExpr, type Expr } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import type { SqlQuery } from '../parse/ast.js'
import type { PlanNode } from './plan-node.js'
import type { Folder } from './pushdown.js'
import { boundShapePlan, diffLeaves, makeShapePlan, type LiteralInstance, type PlanSample, type ShapePlan } from './shape-plan.js'

/** What a kept plan was made under: it is used only under the same. */
interface Keyed {
  /** The settings the plan was made under (settingsKeyOf); null for a describing plan (it folds constants only). */
  readonly settings: string | null
  readonly typesKey: string
  /** engine.tables() and views as they were (arrays changed in place; their elements are replaced, never changed). */
  readonly tables: ReadonlyArray<object>
}

interface CachedPlan extends Keyed {
  readonly plan: PlanNode
  /** The parameter types after planning ($n types the binder inferred are copied to the caller on a hit). */
  readonly paramTypes: ReadonlyArray<SqlType | null>
}

const PLANS = new WeakMap<SqlQuery, CachedPlan[]>()

/**
 * A shape's last planning (waiting for the next with other values) and how many pairs made no plan, its plan, or
 * 'never'. A pair fails when a value of either decided the plan's form (an 'infinity' bound is not pushed): the next
 * pair may still make one, up to SHAPE_PAIRS_MAX_COUNT tries (SHAPE_PAIRS_PINNING_MAX_COUNT while the only fault is a
 * pin of a literal seen varying). `everVaried`: the string literals that differed in some pair so far.
 */
interface ShapeEntry extends Keyed {
  state: { readonly first: PlanSample; readonly failures: number; readonly everVaried: ReadonlyArray<boolean> } | ShapePlan | 'never'
}
const SHAPE_PAIRS_MAX_COUNT = 3
const SHAPE_PAIRS_PINNING_MAX_COUNT = 8
/** By literal template (LiteralInstance.template): kept as long as parse-shapes keeps the template. */
const SHAPES = new WeakMap<object, ShapeEntry[]>()
let shapeHits = 0

/** Plans made from a shape's plan so far in this thread (tests check that the path they mean to cover was taken). */
export function shapePlanHitCount(): number {
  return shapeHits
}
// A session's merged settings map is one object while its settings are unchanged (mergedSettings), so its key is
// made once per change, not per statement.
const SETTINGS_KEYS = new WeakMap<ReadonlyMap<string, string>, string>()

function settingsKeyOf(settings: ReadonlyMap<string, string>): string {
  let key = SETTINGS_KEYS.get(settings)
  if (key === undefined) {
    key = [...settings].map(([name, value]) => `${name}\u0001${value}`).sort().join('\u0000')
    SETTINGS_KEYS.set(settings, key)
  }
  return key
}

export interface PlanKey {
  readonly query: SqlQuery
  readonly paramTypes: Array<SqlType | null>
  readonly settings: ReadonlyMap<string, string> | null
  /** The catalog's objects (catalogObjects): every table schema, then every view. */
  readonly tables: ReadonlyArray<object>
  /** Set when the query's parse was made from a literal template. */
  readonly shape?: LiteralInstance | null
}

/** What a plan depends on in the catalog: each table schema and view object (DDL replaces them, never changes them). */
export function catalogObjects(engine: Engine): ReadonlyArray<object> {
  const views = engine.views?.() ?? []
  return views.length === 0 ? engine.tables() : [...engine.tables(), ...views]
}

function typesKeyOf(types: ReadonlyArray<SqlType | null>): string {
  let key = ''
  for (const type of types) key += type === null ? '?,' : `${type.name}(${type.typmod}),`
  return key
}

function isSameTables(kept: ReadonlyArray<object>, now: ReadonlyArray<object>): boolean {
  if (kept.length !== now.length) return false
  for (let i = 0; i < kept.length; i++) if (kept[i] !== now[i]) return false
  return true
}

// Date and time input words that read the clock ('now', 'today'…): a literal holding one, cast to a date or time
// type, folds to this execution's instant. Any text holding such a word counts (a miss only plans afresh).
const CLOCK_WORDS = /now|today|tomorrow|yesterday/i
const CLOCK_TYPES: ReadonlySet<string> = new Set(['timestamptz', 'timestamp', 'date', 'time'])

function readsClock(node: Expr): boolean {
  if (node.kind !== 'Cast') return false
  if (castMakesTimetz(node)) return true
  return CLOCK_TYPES.has(node.type.name) && node.expr.kind === 'Const' && typeof node.expr.value === 'string' &&
    CLOCK_WORDS.test(node.expr.value)
}

/**
 * A time with time zone made from anything but one ('12:00'::timetz, time → timetz) takes the session zone's offset
 * on today's date (as PostgreSQL's timetz_in and time_timetz), so its value follows the clock across a DST change.
 */
function castMakesTimetz(node: Extract<Expr, { kind: 'Cast' }>): boolean {
  return node.type.name === 'timetz' && node.expr.type.name !== 'timetz'
}

// Expression kinds whose value is a function of their operands alone (a Call or Cast is checked on its own).
const OPERAND_KINDS: ReadonlySet<Expr['kind']> = new Set<Expr['kind']>([
  'Const', 'Compare', 'And', 'Or', 'Not', 'IsNull', 'IsBool', 'IsDistinct', 'InList', 'Like', 'Case', 'Coalesce', 'Greatest', 'Least', 'NullIf',
])

/** reg* values print as catalog names ('pg_class'::regclass): their text follows the catalog, not the statement. */
function isCatalogType(type: SqlType): boolean {
  return type.name.startsWith('reg') || type.name.startsWith('_reg')
}

/** A cast to a date or time type of anything but a literal free of clock words may read the clock ('now'). */
function castReadsClock(node: Extract<Expr, { kind: 'Cast' }>): boolean {
  if (castMakesTimetz(node)) return true
  if (!CLOCK_TYPES.has(node.type.name)) return false
  return node.expr.kind !== 'Const' || (typeof node.expr.value === 'string' && CLOCK_WORDS.test(node.expr.value))
}

function isFixedNode(node: Expr): boolean {
  if (isCatalogType(node.type)) return false
  if (node.kind === 'Call') return node.fn.volatility === 'immutable'
  if (node.kind === 'Cast') return !isCatalogType(node.expr.type) && !castReadsClock(node)
  return OPERAND_KINDS.has(node.kind)
}

const CONSTANT_PLANS = new WeakMap<PlanNode, boolean>()

/**
 * True when the plan's answer depends on its text and the session's settings alone: a projection of one empty row
 * (SELECT without FROM) whose expressions read no row, parameter, clock or catalog and call only immutable functions.
 * Wire keeps such an answer's bytes per session settings (issue 9: a pool's `SELECT 1`). Decided once per plan.
 */
export function isConstantPlan(plan: PlanNode): boolean {
  let isConstant = CONSTANT_PLANS.get(plan)
  if (isConstant === undefined) {
    const input = plan.kind === 'ProjectNode' ? plan.input : null
    const isOneEmptyRow = input?.kind === 'ValuesNode' && input.rows.length === 1 && input.rows[0]!.length === 0
    isConstant = isOneEmptyRow && plan.kind === 'ProjectNode' && !plan.exprs.some((expr) => someExpr(expr, (node) => !isFixedNode(node)))
    CONSTANT_PLANS.set(plan, isConstant)
  }
  return isConstant
}

/**
 * True when folding `expr` reads this execution: its parameters, a function whose answer is not fixed by its
 * arguments, or the clock through a date/time literal ('now').
 */
function readsExecution(expr: Expr): boolean {
  return someExpr(expr, (node) => node.kind === 'Param' || (node.kind === 'Call' && node.fn.volatility !== 'immutable') || readsClock(node))
}

function findKeyed<T extends Keyed>(entries: ReadonlyArray<T> | undefined, settings: string | null, typesKey: string, tables: ReadonlyArray<object>): T | undefined {
  return entries?.find((entry) => entry.settings === settings && entry.typesKey === typesKey && isSameTables(entry.tables, tables))
}

function keep<T>(map: WeakMap<object, T[]>, owner: object, entry: T): void {
  const entries = map.get(owner) ?? []
  if (entries.length >= PLAN_CACHE_PLANS_PER_STATEMENT_MAX_COUNT) entries.shift()
  entries.push(entry)
  if (entries.length === 1) map.set(owner, entries)
}

/**
 * The cached plan for `key`, or its shape's plan with its values bound in, or a new one from `plan(fold)` (kept when
 * its folds read nothing of this execution). On a hit the inferred parameter types are written into key.paramTypes,
 * as planning would have.
 */
export function cachedPlan(key: PlanKey, fold: Folder, plan: (fold: Folder) => PlanNode): PlanNode {
  const typesKey = typesKeyOf(key.paramTypes)
  const settings = key.settings === null ? null : settingsKeyOf(key.settings)
  const hit = findKeyed(PLANS.get(key.query), settings, typesKey, key.tables)
  if (hit !== undefined) {
    for (let i = 0; i < hit.paramTypes.length; i++) key.paramTypes[i] = hit.paramTypes[i] ?? null
    return hit.plan
  }
  // Describing plans fold constants only: they are cheap and not worth a shape.
  const shape = settings === null ? null : key.shape ?? null
  const shapeEntry = shape === null ? undefined : findKeyed(SHAPES.get(shape.template), settings, typesKey, key.tables)
  const state = shapeEntry?.state
  if (shape !== null && typeof state === 'object' && 'leaves' in state) {
    const bound = boundShapePlan(state, shape.values, fold)
    if (bound !== null) {
      paranoid(() => diffLeaves(bound, plan(fold))?.length === 0, 'a shape plan with its values bound in is the fresh plan')
      // Bound afresh each time, the folds read this execution's clock for 'now'; kept, they would not.
      if (!shape.values.some((value) => value !== null && CLOCK_WORDS.test(value))) {
        keep(PLANS, key.query, { settings, typesKey, tables: [...key.tables], plan: bound, paramTypes: [...key.paramTypes] })
      }
      shapeHits++
      return bound
    }
  }
  const tables = [...key.tables]
  const sample = planRecorded(plan, fold)
  if (!sample.isReusable) return sample.plan
  keep(PLANS, key.query, { settings, typesKey, tables, plan: sample.plan, paramTypes: [...key.paramTypes] })
  if (shape !== null) sampleShape(shape, shapeEntry, { plan: sample.plan, folds: sample.folds, values: shape.values }, fold, { settings, typesKey, tables })
  return sample.plan
}

/** A fresh plan, the folds it asked for, and whether none of them read this execution (then it may be kept). */
function planRecorded(plan: (fold: Folder) => PlanNode, fold: Folder): Omit<PlanSample, 'values'> & { readonly isReusable: boolean } {
  let isReusable = true
  // Planning folds some expressions more than once (pushdown lowers a conjunct, then pushes it): one planning's fold
  // of a bound node is always the same value (volatile calls are never folded), so it is computed once.
  const folds = new Map<Expr, { readonly value: SqlValue }>()
  const node = plan((expr) => {
    const kept = folds.get(expr)
    if (kept !== undefined) return kept
    if (isReusable && readsExecution(expr)) isReusable = false
    const value = fold(expr)
    if (value !== undefined) folds.set(expr, value)
    return value
  })
  return { plan: node, folds, isReusable }
}

/** Keeps a shape's sample; with the next (other values) makes the shape's plan, or keeps that one to try again. */
function sampleShape(shape: LiteralInstance, entry: ShapeEntry | undefined, sample: PlanSample, fold: Folder, keyed: Keyed): void {
  if (entry === undefined) {
    keep(SHAPES, shape.template, { ...keyed, state: { first: sample, failures: 0, everVaried: sample.values.map(() => false) } })
    return
  }
  const state = entry.state
  if (typeof state !== 'object' || !('first' in state)) return
  if (state.first.values.every((value, i) => value === sample.values[i])) return
  const made = makeShapePlan(state.first, sample, shape.isString, fold)
  const everVaried = state.everVaried.map((isVaried, i) => isVaried || state.first.values[i] !== sample.values[i])
  const failures = state.failures + 1
  // A plan that pins a string literal (the same in both texts) serves only texts with that value: another pair is
  // tried first, in case that value was the same by chance. One that pins a literal an earlier pair saw vary is never
  // kept (a TSBS shape whose third pair named one host twice served that host alone, 1 text in 90): the next pair is
  // tried, a few more times.
  const pins = made === null ? [] : made.varied.map((isVaried, i) => !isVaried && shape.isString[i]!)
  const pinsVarying = pins.some((isPinned, i) => isPinned && everVaried[i])
  const isPinning = pins.some((isPinned) => isPinned)
  if (made !== null && !pinsVarying && (!isPinning || failures >= SHAPE_PAIRS_MAX_COUNT)) entry.state = made
  else {
    const triesMax = made !== null && pinsVarying ? SHAPE_PAIRS_PINNING_MAX_COUNT : SHAPE_PAIRS_MAX_COUNT
    entry.state = failures < triesMax ? { first: sample, failures, everVaried } : 'never'
  }
}
