// sql/physical/run-select: runs a PhysicalSelect — the ScanOp on the engine, the merge of the cores' partials, then
// the residual filter, projection, sort, offset and limit on the control side.
import type { Engine } from '../../engine/api.js'
import { assertNever } from '../../src/common/assert.js'
import { invalidParameterValue, programLimitExceeded } from '../../src/common/errors.js'
import { RESULT_ROWS_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlValue } from '../api.js'
import type { BoundExpr } from '../bind/bound.js'
import { withEngineErrors } from '../errors.js'
import { compareForSort } from '../expr/compare-values.js'
import { evaluate, type EvalEnv } from '../expr/evaluate.js'
import type { PhysicalSelect, PhysicalSource } from './lower.js'
import { mergeAggregates, mergeRows } from './merge.js'

type Row = SqlValue[]

async function readSource(engine: Engine, source: PhysicalSource): Promise<Row[]> {
  switch (source.kind) {
    case 'OneRowSource': return [[]]
    case 'RowsSource': {
      const result = await withEngineErrors(() => engine.execute(source.op))
      return mergeRows(result.partials, source.types)
    }
    case 'AggregateSource': {
      const result = await withEngineErrors(() => engine.execute(source.op))
      return mergeAggregates(result.partials, source.keyTypes, source.outputs)
    }
    default: return assertNever(source)
  }
}

/** LIMIT/OFFSET value: null for none; 22023 when negative (PostgreSQL: 2201W, not yet in sqlstate.ts). */
export function resolveCount(expr: BoundExpr | null, env: EvalEnv): number | null {
  if (expr === null) return null
  const value = evaluate(expr, [], env)
  if (value === null) return null
  const count = Number(value)
  if (!Number.isFinite(count) || count < 0) throw invalidParameterValue('LIMIT and OFFSET must not be negative')
  return Math.floor(count)
}

export async function runSelect(engine: Engine, plan: PhysicalSelect, env: EvalEnv): Promise<Row[]> {
  let rows = await readSource(engine, plan.source)
  const residual = plan.residual
  if (residual !== null) rows = rows.filter((row) => evaluate(residual, row, env) === true)
  if (rows.length > RESULT_ROWS_MAX_COUNT) throw programLimitExceeded(`result exceeds ${RESULT_ROWS_MAX_COUNT} rows`)
  let projected = rows.map((row) => plan.exprs.map((expr) => evaluate(expr, row, env)))
  if (plan.sortKeys.length > 0) {
    projected.sort((a, b) => {
      for (const key of plan.sortKeys) {
        const order = compareForSort(a[key.slot] ?? null, b[key.slot] ?? null, key.descending, key.nullsFirst)
        if (order !== 0) return order
      }
      return 0
    })
  }
  const offset = resolveCount(plan.offset, env) ?? 0
  const limit = resolveCount(plan.limit, env)
  projected = projected.slice(offset, limit === null ? undefined : offset + limit)
  return projected.map((row) => (row.length === plan.visibleCount ? row : row.slice(0, plan.visibleCount)))
}
