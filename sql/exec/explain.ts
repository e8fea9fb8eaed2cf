// sql/exec/explain: EXPLAIN [ANALYZE] — the plan tree, one operator a line, with what runs on the cores (the
// ScanOp's time range, pushed filters and expression, group keys and aggregates); ANALYZE adds each operator's row
// count (and time, unless TIMING OFF), SUMMARY the planning and execution times; FORMAT JSON the same as a document.
import type { Engine } from '../../engine/api.js'
import { formatExpr } from '../../engine/ops.js'
import type { FieldDescription, SessionContext, StatementResult } from '../api.js'
import type { SqlType } from '../bind/types.js'
import type { ExplainOptions } from '../parse/adapt-explain.js'
import type { SqlExplain } from '../parse/ast.js'
import { planChildren, type PlanNode } from '../plan/plan-node.js'
import { planStatement, functionContext } from './query.js'
import { newExecEnv, type ExecEnv } from './exec-env.js'
import { runPlan } from './run-plan.js'

/** An operator as EXPLAIN names it: what it is, the table a core scan reads, and what the cores were given. */
interface NodeDescription {
  readonly name: string
  readonly relation?: string
  readonly details: ReadonlyArray<string>
}

function describeNode(node: PlanNode): NodeDescription {
  switch (node.kind) {
    case 'ScanNode': case 'AggScanNode': {
      const op = node.op
      const details: string[] = []
      if (Number.isFinite(op.timeRange.fromUs) || Number.isFinite(op.timeRange.toUs)) details.push(`time range [${op.timeRange.fromUs}, ${op.timeRange.toUs}) µs`)
      if (op.filters.length > 0) details.push(`filters: ${op.filters.map((f) => `#${f.column} ${f.op} ${JSON.stringify(f.values)}`).join(' AND ')}`)
      if (op.where !== undefined && op.where !== null) details.push(`expression: ${formatExpr(op.where.expr)}`)
      if (op.groupBy.length > 0) details.push(`group by: ${op.groupBy.map((g) => (g.kind === 'column' ? `#${g.column}` : `time_bucket(${g.widthUs} µs)`)).join(', ')}`)
      if (op.aggregates.length > 0) details.push(`aggregates: ${op.aggregates.map((a) => `${a.fn}(${a.column === null ? '*' : `#${a.column}`})${a.filter ? ` FILTER (WHERE ${formatExpr(a.filter.expr)})` : ''}`).join(', ')}`)
      return { name: node.kind === 'ScanNode' ? 'Scan' : 'Aggregate Scan', relation: node.tableName, details }
    }
    case 'JoinNode': return { name: `${node.leftKeys.length > 0 ? 'Hash' : 'Nested Loop'} ${node.type} Join`, details: [] }
    case 'SetOpNode': return { name: `${node.op.toUpperCase()}${node.all ? ' ALL' : ''}`, details: [] }
    case 'AggregateNode': return { name: `Hash Aggregate (${node.keys.length} keys, ${node.aggregates.map((a) => a.fn.name).join(', ')})`, details: [] }
    default: return { name: node.kind.replace(/Node$/, ''), details: [] }
  }
}

/** The text line of an operator: 'Scan on cpu (on the cores); filters: …'. */
function describedText(described: NodeDescription): string {
  const head = described.relation === undefined ? described.name : `${described.name} on ${described.relation} (on the cores)`
  return [head, ...described.details].join('; ')
}

/** The one column EXPLAIN returns: text, or json for FORMAT JSON. */
export function explainField(options: ExplainOptions): FieldDescription {
  return { name: 'QUERY PLAN', tableOid: 0, columnAttr: 0, typeOid: options.format === 'json' ? 114 : 25, typeSize: -1, typeModifier: -1 }
}

/** One operator as printed: its description, what ANALYZE measured of it, and its inputs. */
interface ExplainedNode {
  readonly described: NodeDescription
  readonly run: 'ran' | 'streamed' | 'never' | null
  readonly profile: { readonly elapsedMs: number; readonly rowCount: number; readonly loopCount: number } | undefined
  readonly children: ReadonlyArray<ExplainedNode>
}

function explainTree(plan: PlanNode, env: ExecEnv, analyze: boolean): ExplainedNode {
  const walk = (node: PlanNode, isParentStreaming: boolean): ExplainedNode => {
    const profile = env.profile?.get(node)
    // Under a top-N the sort's input streams through the limit rather than running as nodes of its own.
    const isStreamed = analyze && profile === undefined && isParentStreaming
    const run = !analyze ? null : isStreamed ? 'streamed' : profile === undefined ? 'never' : 'ran'
    const children = planChildren(node).map((child) => walk(child, isStreamed || (node.kind === 'LimitNode' && child.kind === 'SortNode' && env.profile?.get(child) === undefined)))
    return { described: describeNode(node), run, profile, children }
  }
  return walk(plan, false)
}

function textLines(root: ExplainedNode, options: ExplainOptions): string[] {
  const lines: string[] = []
  const walk = (node: ExplainedNode, depth: number): void => {
    let text = `${depth === 0 ? '' : `${' '.repeat(depth * 2)}->  `}${describedText(node.described)}`
    if (node.run === 'streamed') text += ' (streamed into the operator above)'
    else if (node.run === 'never') text += ' (never executed)'
    else if (node.run === 'ran' && node.profile !== undefined) {
      const { elapsedMs, rowCount, loopCount } = node.profile
      text += options.timing ? ` (actual time=${elapsedMs.toFixed(3)} ms rows=${rowCount} loops=${loopCount})` : ` (actual rows=${rowCount} loops=${loopCount})`
    }
    lines.push(text)
    for (const child of node.children) walk(child, depth + 1)
  }
  walk(root, 0)
  return lines
}

/** FORMAT JSON: PostgreSQL's keys where they mean the same ("Node Type", "Relation Name", "Actual Rows", "Plans"). */
function jsonPlan(node: ExplainedNode, options: ExplainOptions): Record<string, unknown> {
  const { name, relation, details } = node.described
  const out: Record<string, unknown> = { 'Node Type': name }
  if (relation !== undefined) Object.assign(out, { 'Relation Name': relation, 'On The Cores': true })
  if (details.length > 0) out['Detail'] = details.join('; ')
  if (node.run === 'streamed') out['Streamed Into Parent'] = true
  if (node.run === 'never') out['Never Executed'] = true
  if (node.run === 'ran' && node.profile !== undefined) {
    if (options.timing) out['Actual Total Time'] = Number(node.profile.elapsedMs.toFixed(3))
    Object.assign(out, { 'Actual Rows': node.profile.rowCount, 'Actual Loops': node.profile.loopCount })
  }
  if (node.children.length > 0) out['Plans'] = node.children.map((child) => jsonPlan(child, options))
  return out
}

export async function explainQuery(engine: Engine, statement: SqlExplain, paramTypes: Array<SqlType | null>, session: SessionContext): Promise<StatementResult> {
  const { options } = statement
  const env = newExecEnv(engine, [], functionContext(session), session)
  const planStarted = performance.now()
  const plan = planStatement(engine, statement.query, paramTypes, env)
  const planningMs = performance.now() - planStarted
  let segments: Record<string, number> | null = null
  let executionMs: number | null = null
  if (options.analyze) {
    // One run of the whole plan, every node timed as it runs (never re-run per node).
    env.profile = new Map()
    const before = engine.stats()
    const started = performance.now()
    await runPlan(plan, env, [])
    executionMs = performance.now() - started
    const after = engine.stats()
    const delta = (key: 'rowGroupsPrunedCount' | 'rowGroupsReadCount' | 'rowGroupsAnsweredCount' | 'chunksReadCount'): number => (after[key] ?? 0) - (before[key] ?? 0)
    segments = { read: delta('rowGroupsReadCount'), pruned: delta('rowGroupsPrunedCount'), answered: delta('rowGroupsAnsweredCount'), chunks: delta('chunksReadCount') }
  }
  const tree = explainTree(plan, env, options.analyze)
  let rows: string[]
  if (options.format === 'json') {
    const query: Record<string, unknown> = { Plan: jsonPlan(tree, options) }
    if (segments !== null) query['Segments'] = { 'Row Groups Read': segments.read, 'Row Groups Pruned': segments.pruned, 'Row Groups Answered From Statistics': segments.answered, 'Chunks Read': segments.chunks }
    if (options.summary) query['Planning Time'] = Number(planningMs.toFixed(3))
    if (options.summary && executionMs !== null) query['Execution Time'] = Number(executionMs.toFixed(3))
    rows = [JSON.stringify([query], null, 2)]
  } else {
    rows = textLines(tree, options)
    if (segments !== null) rows.push(`Segments: row groups read=${segments.read} pruned=${segments.pruned} answered from statistics=${segments.answered} chunks read=${segments.chunks}`)
    if (options.summary) rows.push(`Planning Time: ${planningMs.toFixed(3)} ms`)
    if (options.summary && executionMs !== null) rows.push(`Execution Time: ${executionMs.toFixed(3)} ms`)
  }
  return { kind: 'RowsResult', fields: [explainField(options)], rows: rows.map((line) => [line]), commandTag: 'EXPLAIN' }
}
