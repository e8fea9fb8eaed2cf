// sql/exec/query: a query statement end to end — plan (from the cached parse, with this execution's parameter
// values folded into the scans), run, and the RowDescription fields that describe() reports without running.
import type { Engine } from '../../engine/api.js'
import type { FieldDescription, SessionContext, SqlValue, StatementResult } from '../api.js'
import { someExpr, type Expr } from '../bind/expr.js'
import { PG_TYPES, type SqlType } from '../bind/types.js'
import type { FunctionContext } from '../functions/function-def.js'
import type { SqlQuery } from '../parse/ast.js'
import type { PlanColumn, PlanNode } from '../plan/plan-node.js'
import { Planner } from '../plan/planner.js'
import { cachedPlan, catalogObjects, isConstantPlan } from '../plan/plan-cache.js'
import { literalInstanceOf } from '../parse/parse-shapes.js'
import { disabledOptimizers, type Optimizer } from '../plan/optimizers.js'
import type { Folder } from '../plan/pushdown.js'
import { evaluate } from './evaluate.js'
import { newExecEnv, type ExecEnv } from './exec-env.js'
import { runPlan } from './run-plan.js'
import { streamPlan, streamShapeOf } from './stream-plan.js'
import { sortedStream, sortShapeOf } from './sort-stream.js'
import { mergedSettings, setConfig } from './session-settings.js'
import { Sleeper } from '../functions/sleep-functions.js'
import { listeningChannels, notify } from './notifications.js'
import { catalogLookup } from '../catalog/catalog-lookup.js'
import { printRegColumns } from '../catalog/reg-cast.js'

export function fieldOf(column: PlanColumn): FieldDescription {
  const info = PG_TYPES[column.type.name === 'unknown' ? 'text' : column.type.name]
  return { name: column.name, tableOid: column.tableOid, columnAttr: column.columnAttr, typeOid: info.oid, typeSize: info.typlen, typeModifier: column.type.typmod }
}

export function functionContext(session: SessionContext, engine?: Engine): FunctionContext {
  const settings = mergedSettings(session)
  const context: { -readonly [K in keyof FunctionContext]: FunctionContext[K] } = {
    timeZone: settings.get('timezone') ?? 'UTC', nowUs: Date.now() * 1000, settings, sleeper: new Sleeper(), backendPid: session.backendPid,
    backends: session.backends,
    atTransactionEnd: session.writes === undefined ? undefined : (release) => session.writes!.holdUntilEnd(release),
    notifications: { notify: (channel, payload) => notify(session, channel, payload), channels: () => listeningChannels(session) },
    // set_config(): what the statement reads after it (current_setting) sees the new value, as in PostgreSQL.
    setSetting: (name, value, isLocal) => {
      const shown = setConfig(session, name, value, isLocal)
      context.settings = new Map(mergedSettings(session)).set(name.toLowerCase(), shown) // is_local outside a block too
      return shown
    },
  }
  if (engine !== undefined) context.catalog = catalogLookup(engine)
  return context
}

/** Folds what reads no row and is not volatile (parameters, now(), constants) — only for pushdown into scans. */
export function folder(env: ExecEnv | null): Folder {
  return (expr: Expr) => {
    if (env === null) return expr.kind === 'Const' ? { value: expr.value } : undefined
    const readsRow = someExpr(expr, (n) => n.kind === 'Slot' || n.kind === 'Outer' || n.kind === 'Subquery' || n.kind === 'Aggregate' ||
      n.kind === 'Window' || (n.kind === 'Call' && n.fn.volatility === 'volatile'))
    return readsRow ? undefined : { value: evaluate(expr, [], [], env) }
  }
}

/** The statement's plan: the one kept with its parsed query when nothing it depends on changed (plan-cache.ts). */
export function planStatement(engine: Engine, query: SqlQuery, paramTypes: Array<SqlType | null>, env: ExecEnv | null): PlanNode {
  const disabled = env === null ? NONE_DISABLED : disabledOptimizers(env.functions.settings)
  const key = { query, paramTypes, settings: env === null ? null : env.functions.settings, tables: catalogObjects(engine), shape: literalInstanceOf(query) }
  return cachedPlan(key, folder(env), (fold) =>
    new Planner(engine, paramTypes, fold, env === null, env?.functions.timeZone ?? null, disabled).planQuery(query, null).plan)
}

const NONE_DISABLED: ReadonlySet<Optimizer> = new Set()

export function describeQuery(engine: Engine, query: SqlQuery, paramTypes: Array<SqlType | null>): ReadonlyArray<FieldDescription> {
  return planStatement(engine, query, paramTypes, null).columns.map(fieldOf)
}

export async function executeQuery(engine: Engine, query: SqlQuery, paramTypes: Array<SqlType | null>, params: ReadonlyArray<SqlValue>,
  session: SessionContext): Promise<StatementResult> {
  const env = newExecEnv(engine, params, functionContext(session, engine), session)
  const plan = planStatement(engine, query, paramTypes, env)
  // Plans that hold no rows (scan → filter → project → limit) stream from the cores; the rest are materialized.
  const isStreaming = !disabledOptimizers(env.functions.settings).has('streaming')
  const shape = isStreaming ? streamShapeOf(plan) : null
  if (shape !== null) return { kind: 'RowStreamResult', fields: plan.columns.map(fieldOf), stream: streamPlan(shape, env, plan.columns) }
  // ORDER BY over a plain scan: sorted as columns, its rows built as wire writes them (sort-stream.ts).
  const sortShape = isStreaming ? sortShapeOf(plan) : null
  if (sortShape !== null) return { kind: 'RowStreamResult', fields: plan.columns.map(fieldOf), stream: await sortedStream(sortShape, env) }
  const planRows = await runPlan(plan, env, [])
  await env.functions.sleeper?.settle(session.signal)
  const rows = printRegColumns(plan.columns.map((c) => c.type), planRows, env.functions.catalog)
  return { kind: 'RowsResult', fields: plan.columns.map(fieldOf), rows, commandTag: `SELECT ${rows.length}`, isConstant: isConstantPlan(plan) }
}
