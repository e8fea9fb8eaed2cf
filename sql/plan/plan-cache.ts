// sql/plan/plan-cache: plans kept with their (cached, immutable) parsed query, so a statement sent again skips
// binding and planning. A plan is reused only when it cannot differ from a fresh one: the same parameter types, the
// same catalog (every table schema the same object: DDL replaces them), the same session settings (every value:
// TimeZone, DateStyle, search_path, disabled optimizers…; sessions of a pool with equal settings share plans), and
// nothing folded into it that depends on this execution — a plan that folded a $n value or a stable or volatile
// function (now(), current_setting()) into its scans is never kept. Plans are plain data that execution only reads.
import type { Engine } from '../../engine/api.js'
import type { SqlValue } from '../api.js'
import { PLAN_CACHE_PLANS_PER_STATEMENT_MAX_COUNT } from '../../src/common/limits.js'
import { someExpr, type Expr } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import type { SqlQuery } from '../parse/ast.js'
import type { PlanNode } from './plan-node.js'
import type { Folder } from './pushdown.js'

interface CachedPlan {
  /** The settings the plan was made under (settingsKeyOf); null for a describing plan (it folds constants only). */
  readonly settings: string | null
  readonly typesKey: string
  /** engine.tables() and views as they were (arrays changed in place; their elements are replaced, never changed). */
  readonly tables: ReadonlyArray<object>
  readonly plan: PlanNode
  /** The parameter types after planning ($n types the binder inferred are copied to the caller on a hit). */
  readonly paramTypes: ReadonlyArray<SqlType | null>
}

const PLANS = new WeakMap<SqlQuery, CachedPlan[]>()
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

/** True when folding `expr` reads this execution's parameters or a function whose answer is not fixed by its arguments. */
function readsExecution(expr: Expr): boolean {
  return someExpr(expr, (node) => node.kind === 'Param' || (node.kind === 'Call' && node.fn.volatility !== 'immutable'))
}

/**
 * The cached plan for `key`, or a new one from `plan(fold)` (kept when its folds read nothing of this execution).
 * On a hit the inferred parameter types are written into key.paramTypes, as planning would have.
 */
export function cachedPlan(key: PlanKey, fold: Folder, plan: (fold: Folder) => PlanNode): PlanNode {
  const typesKey = typesKeyOf(key.paramTypes)
  const settings = key.settings === null ? null : settingsKeyOf(key.settings)
  const kept = PLANS.get(key.query)
  const hit = kept?.find((entry) => entry.settings === settings && entry.typesKey === typesKey && isSameTables(entry.tables, key.tables))
  if (hit !== undefined) {
    for (let i = 0; i < hit.paramTypes.length; i++) key.paramTypes[i] = hit.paramTypes[i] ?? null
    return hit.plan
  }
  const tables = [...key.tables]
  let isReusable = true
  // Planning folds some expressions more than once (pushdown lowers a conjunct, then pushes it): one planning's fold
  // of a bound node is always the same value (volatile calls are never folded), so it is computed once.
  const folded = new Map<Expr, { readonly value: SqlValue }>()
  const node = plan((expr) => {
    const kept = folded.get(expr)
    if (kept !== undefined) return kept
    if (isReusable && readsExecution(expr)) isReusable = false
    const value = fold(expr)
    if (value !== undefined) folded.set(expr, value)
    return value
  })
  if (!isReusable) return node
  const entries = kept ?? []
  if (entries.length >= PLAN_CACHE_PLANS_PER_STATEMENT_MAX_COUNT) entries.shift()
  entries.push({ settings, typesKey, tables, plan: node, paramTypes: [...key.paramTypes] })
  if (kept === undefined) PLANS.set(key.query, entries)
  return node
}
