// sql/exec/exec-env: what one statement's execution carries — parameters, the function context (TimeZone, now),
// the engine, materialized CTEs and subquery results, and the budget of rows operators may hold (53200 past it).
import type { Engine } from '../../engine/api.js'
import { outOfMemory } from '../../src/common/errors.js'
import { QUERY_ROWS_HELD_MAX_COUNT } from '../../src/common/limits.js'
import type { SessionContext, SqlValue } from '../api.js'
import type { FunctionContext } from '../functions/function-def.js'
import type { PlanNode } from '../plan/plan-node.js'
import type { Sliced } from './slice.js'

export type Row = SqlValue[]

export interface ExecEnv extends Sliced {
  readonly engine: Engine
  readonly params: ReadonlyArray<SqlValue>
  readonly functions: FunctionContext
  /** The session the statement runs in (virtual catalog tables read its user, database and settings). */
  readonly session: SessionContext
  readonly cteRows: Map<number, Row[]>
  /** Rows of each subquery plan: once per statement when uncorrelated, per outer row when correlated. */
  readonly subqueryRows: Map<PlanNode, Row[]>
  readonly likeCache: Map<string, RegExp>
  /** Rows operators of this statement may still hold in memory. */
  rowsHeldBudget: number
  /** EXPLAIN ANALYZE: per plan node, rows produced, time spent (inclusive) and times run. */
  profile?: Map<PlanNode, { readonly rowCount: number; readonly elapsedMs: number; readonly loopCount: number }>
}

export function newExecEnv(engine: Engine, params: ReadonlyArray<SqlValue>, functions: FunctionContext, session: SessionContext): ExecEnv {
  return {
    engine, params, functions, session, cteRows: new Map(), subqueryRows: new Map(), likeCache: new Map(),
    rowsHeldBudget: QUERY_ROWS_HELD_MAX_COUNT, sliceWork: 0, signal: session.signal,
  }
}

/** Charges rows an operator materializes against the statement's budget; 53200 names the operator when exceeded. */
export function holdRows(env: ExecEnv, count: number, operator: string): void {
  env.rowsHeldBudget -= count
  if (env.rowsHeldBudget < 0) {
    throw outOfMemory(`${operator} would hold more than ${QUERY_ROWS_HELD_MAX_COUNT} rows of this statement (QUERY_ROWS_HELD_MAX_COUNT)`)
  }
}
