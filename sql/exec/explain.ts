// sql/exec/explain: EXPLAIN [ANALYZE] — the plan tree, one operator a line, with what runs on the cores (the
// ScanOp's time range, pushed filters and expression, group keys and aggregates); ANALYZE adds each operator's row count.
import type { Engine } from '../../engine/api.js'
import { formatExpr } from '../../engine/ops.js'
import type { SessionContext, StatementResult } from '../api.js'
import type { SqlType } from '../bind/types.js'
import type { SqlExplain } from '../parse/ast.js'
import { planChildren, type PlanNode } from '../plan/plan-node.js'
import { planStatement, functionContext } from './query.js'
import { newExecEnv } from './exec-env.js'
import { runPlan } from './run-plan.js'

function describeNode(node: PlanNode): string {
  switch (node.kind) {
    case 'ScanNode': case 'AggScanNode': {
      const op = node.op
      const parts = [`${node.kind === 'ScanNode' ? 'Scan' : 'Aggregate Scan'} on ${node.tableName} (on the cores)`]
      if (Number.isFinite(op.timeRange.fromUs) || Number.isFinite(op.timeRange.toUs)) parts.push(`time range [${op.timeRange.fromUs}, ${op.timeRange.toUs}) µs`)
      if (op.filters.length > 0) parts.push(`filters: ${op.filters.map((f) => `#${f.column} ${f.op} ${JSON.stringify(f.values)}`).join(' AND ')}`)
      if (op.where !== undefined && op.where !== null) parts.push(`expression: ${formatExpr(op.where.expr)}`)
      if (op.groupBy.length > 0) parts.push(`group by: ${op.groupBy.map((g) => (g.kind === 'column' ? `#${g.column}` : `time_bucket(${g.widthUs} µs)`)).join(', ')}`)
      if (op.aggregates.length > 0) parts.push(`aggregates: ${op.aggregates.map((a) => `${a.fn}(${a.column === null ? '*' : `#${a.column}`})${a.filter ? ` FILTER (WHERE ${formatExpr(a.filter.expr)})` : ''}`).join(', ')}`)
      return parts.join('; ')
    }
    case 'JoinNode': return `${node.leftKeys.length > 0 ? 'Hash' : 'Nested Loop'} ${node.type} Join`
    case 'SetOpNode': return `${node.op.toUpperCase()}${node.all ? ' ALL' : ''}`
    case 'AggregateNode': return `Hash Aggregate (${node.keys.length} keys, ${node.aggregates.map((a) => a.fn.name).join(', ')})`
    default: return node.kind.replace(/Node$/, '')
  }
}

export async function explainQuery(engine: Engine, statement: SqlExplain, paramTypes: Array<SqlType | null>, session: SessionContext): Promise<StatementResult> {
  const env = newExecEnv(engine, [], functionContext(session), session)
  const plan = planStatement(engine, statement.query, paramTypes, env)
  let footer: string[] = []
  if (statement.analyze) {
    // One run of the whole plan, every node timed as it runs (never re-run per node).
    env.profile = new Map()
    const before = engine.stats()
    const started = performance.now()
    await runPlan(plan, env, [])
    const after = engine.stats()
    const delta = (key: 'rowGroupsPrunedCount' | 'rowGroupsReadCount' | 'rowGroupsAnsweredCount' | 'chunksReadCount'): number => (after[key] ?? 0) - (before[key] ?? 0)
    footer = [
      `Segments: row groups read=${delta('rowGroupsReadCount')} pruned=${delta('rowGroupsPrunedCount')} answered from statistics=${delta('rowGroupsAnsweredCount')} chunks read=${delta('chunksReadCount')}`,
      `Execution Time: ${(performance.now() - started).toFixed(3)} ms`,
    ]
  }
  const lines: string[] = []
  const walk = (node: PlanNode, depth: number, isParentStreaming: boolean): void => {
    let text = `${depth === 0 ? '' : `${' '.repeat(depth * 2)}->  `}${describeNode(node)}`
    const profile = env.profile?.get(node)
    // Under a top-N the sort's input streams through the limit rather than running as nodes of its own.
    const isStreamed = statement.analyze && profile === undefined && isParentStreaming
    if (statement.analyze) {
      text += isStreamed ? ' (streamed into the operator above)' : profile === undefined ? ' (never executed)'
        : ` (actual time=${profile.elapsedMs.toFixed(3)} ms rows=${profile.rowCount} loops=${profile.loopCount})`
    }
    lines.push(text)
    for (const child of planChildren(node)) walk(child, depth + 1, isStreamed || (node.kind === 'LimitNode' && child.kind === 'SortNode' && env.profile?.get(child) === undefined))
  }
  walk(plan, 0, false)
  lines.push(...footer)
  return {
    kind: 'RowsResult', fields: [{ name: 'QUERY PLAN', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1 }],
    rows: lines.map((line) => [line]), commandTag: 'EXPLAIN',
  }
}
