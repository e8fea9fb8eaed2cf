// sql/exec/select: SELECT end to end — bind, build the logical plan, optimize with the parameter values, lower to a
// ScanOp and run it. Also the RowDescription fields, which describe() reports without running anything.
import type { Engine } from '../../engine/api.js'
import type { FieldDescription, StatementResult } from '../api.js'
import { mapBound, type BoundExpr } from '../bind/bound.js'
import { bindSelect, type BoundSelect } from '../bind/binder.js'
import { PG_TYPES, type SqlType } from '../bind/types.js'
import { evaluate, type EvalEnv } from '../expr/evaluate.js'
import { buildLogical } from '../logical/build.js'
import { optimize } from '../optimize/optimizer.js'
import type { ConstResolver } from '../optimize/push-predicates.js'
import type { SqlSelect } from '../parse/ast.js'
import { lowerSelect, type PhysicalSelect } from '../physical/lower.js'
import { resolveCount, runSelect } from '../physical/run-select.js'

export function fieldOf(name: string, type: SqlType, origin: { tableOid: number; columnAttr: number }): FieldDescription {
  const info = PG_TYPES[type.name === 'unknown' ? 'text' : type.name]
  return { name, tableOid: origin.tableOid, columnAttr: origin.columnAttr, typeOid: info.oid, typeSize: info.typlen, typeModifier: type.typmod }
}

export function selectFields(bound: BoundSelect): ReadonlyArray<FieldDescription> {
  return bound.outputs.map((output) => fieldOf(output.name, output.expr.type, output))
}

export function bindSelectStatement(engine: Engine, statement: SqlSelect, paramTypes: Array<SqlType | null>): BoundSelect {
  return bindSelect(engine, statement, paramTypes)
}

/** True when the expression reads no row (constants, parameters, now(), arithmetic over those). */
function isRowIndependent(expr: BoundExpr): boolean {
  let reads = false
  mapBound(expr, (node) => {
    if (node.kind === 'BoundColumn' || node.kind === 'BoundSlot' || node.kind === 'BoundAggregate') reads = true
    return undefined
  })
  return !reads
}

/** Row-independent expressions are folded for pushdown (`ts > now() - INTERVAL '1 hour'`); others stay for after the merge. */
function constResolver(env: EvalEnv): ConstResolver {
  return (expr: BoundExpr) => (isRowIndependent(expr) ? { value: evaluate(expr, [], env) } : undefined)
}

export function planSelect(bound: BoundSelect, env: EvalEnv): PhysicalSelect {
  const logical = optimize(buildLogical(bound), constResolver(env))
  return lowerSelect(logical, (expr) => resolveCount(expr, env))
}

export async function executeSelect(engine: Engine, bound: BoundSelect, env: EvalEnv): Promise<StatementResult> {
  const plan = planSelect(bound, env)
  const rows = await runSelect(engine, plan, env)
  return { kind: 'RowsResult', fields: selectFields(bound), rows, commandTag: `SELECT ${rows.length}` }
}
