// sql/plan/check-json-keys: json (unlike jsonb) has no equality or ordering operator, so PostgreSQL refuses every
// plan that would group, sort, de-duplicate or hash by a json value — with 42883 at plan time, whatever the rows.
// This pass walks a finished plan and raises the same errors, so no query answers where PostgreSQL refuses.
import { undefinedFunctionMessage } from '../../src/common/errors.js'
import type { ExprSortKey } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import { planChildren, type PlanNode } from './plan-node.js'

function needEquality(types: ReadonlyArray<SqlType>): void {
  if (types.some((type) => type.name === 'json')) throw undefinedFunctionMessage('could not identify an equality operator for type json')
}

function needOrdering(keys: ReadonlyArray<ExprSortKey>): void {
  if (keys.some((key) => key.expr.type.name === 'json')) throw undefinedFunctionMessage('could not identify an ordering operator for type json')
}

/** Throws 42883 where the plan needs json equality or ordering; otherwise returns. */
export function checkJsonKeys(node: PlanNode): void {
  switch (node.kind) {
    case 'SortNode': needOrdering(node.keys); break
    case 'AggregateNode':
      needEquality(node.keys.map((key) => key.type))
      for (const call of node.aggregates) {
        if (call.distinct) needEquality(call.argTypes)
        needOrdering(call.orderBy)
      }
      break
    case 'DistinctNode': needEquality((node.on ?? node.columns).map((item) => item.type)); break
    case 'SetOpNode': if (!node.all) needEquality(node.columns.map((column) => column.type)); break
    case 'RecursiveUnionNode': if (!node.all) needEquality(node.columns.map((column) => column.type)); break
    case 'JoinNode': needEquality(node.leftKeys.map((key) => key.type)); break
    case 'WindowNode':
      for (const call of node.calls) {
        needEquality(call.partitionBy.map((key) => key.type))
        needOrdering(call.orderBy)
      }
      break
    default: break
  }
  for (const child of planChildren(node)) checkJsonKeys(child)
}
