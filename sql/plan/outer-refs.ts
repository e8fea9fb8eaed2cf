// sql/plan/outer-refs: which slots of the enclosing row a correlated subquery reads. The executor keys its cache of
// subquery results on those values only, so a subquery correlated on a tag runs once per tag value, not per row.
import { children, type Expr } from '../bind/expr.js'
import { planChildren, type PlanNode } from './plan-node.js'

function exprsOf(node: PlanNode): Expr[] {
  switch (node.kind) {
    case 'ScanNode': case 'AggScanNode': case 'CteScanNode': case 'VirtualScanNode': return []
    case 'ValuesNode': return node.rows.flat()
    case 'FunctionScanNode': return [...node.args]
    case 'FilterNode': return [node.predicate]
    case 'GapFillNode': return node.fills.map((f) => f.expr)
    case 'ProjectNode': return [...node.exprs]
    case 'ProjectSetNode': return node.calls.flatMap((c) => c.args)
    case 'AggregateNode': return [...node.keys, ...node.aggregates.flatMap((a) => [...a.args, ...(a.filter === null ? [] : [a.filter]), ...a.orderBy.map((k) => k.expr)])]
    case 'WindowNode': return node.calls.flatMap((c) => [...c.args, ...c.partitionBy, ...c.orderBy.map((k) => k.expr), ...(c.filter === null ? [] : [c.filter])])
    case 'SortNode': return node.keys.map((k) => k.expr)
    case 'LimitNode': return [node.limit, node.offset].filter((e): e is Expr => e !== null)
    case 'DistinctNode': return [...(node.on ?? [])]
    case 'TrimNode': case 'SetOpNode': case 'WithNode': case 'RecursiveUnionNode': case 'RowsFromNode': return []
    case 'JoinNode': return [...node.leftKeys, ...node.rightKeys, ...(node.condition === null ? [] : [node.condition])]
    case 'LateralJoinNode': return node.condition === null ? [] : [node.condition]
  }
}

/** Slots of the row one level out (depth 1 seen from `plan`) that `plan` reads, at any nesting depth. */
export function outerSlots(plan: PlanNode): number[] {
  const slots = new Set<number>()
  const visitExpr = (expr: Expr, level: number): void => {
    if (expr.kind === 'Outer' && expr.depth === level) slots.add(expr.slot)
    if (expr.kind === 'Subquery') visitPlan(expr.plan, level + 1)
    for (const child of children(expr)) visitExpr(child, level)
  }
  const visitPlan = (node: PlanNode, level: number): void => {
    for (const expr of exprsOf(node)) visitExpr(expr, level)
    for (const child of planChildren(node)) visitPlan(child, level)
  }
  visitPlan(plan, 1)
  return [...slots].sort((a, b) => a - b)
}
