// sql/plan/plan-recursive: WITH RECURSIVE. A query defined there that reads itself must be `non-recursive term
// UNION [ALL] recursive term`; the non-recursive term fixes the column types (the recursive term's are cast to them,
// or 42804 when the union's common type differs, as PostgreSQL says it), and the recursive term may read the query
// once, at its top level: not in its non-recursive term, a subquery expression, an outer join's nullable side, under
// an aggregate or window (42P19); ORDER BY / LIMIT / OFFSET on the whole UNION is 0A000, as in PostgreSQL (inside
// the recursive term's own parenthesized SELECT they run each round, as there). A query
// under WITH RECURSIVE that does not read itself is planned as an ordinary WITH query.
import { datatypeMismatch, featureNotSupported, invalidColumnReference, invalidRecursion, syntaxError } from '../../src/common/errors.js'
import { commonType, formatName } from '../bind/type-rules.js'
import type { Scope } from '../bind/scope.js'
import type { SqlCommonTable, SqlQuery } from '../parse/ast.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import type { CteEntry, Planner } from './planner.js'
import { castColumns } from './plan-query.js'

/** Where a recursive query's own name may be read while its terms are planned. */
export interface Recursion {
  /** whole: a query that is not a UNION (it may not read itself at all); anchor/step: the UNION's terms. */
  phase: 'whole' | 'anchor' | 'step'
  /** planSubquery depth (subquery expressions) when the step began. */
  readonly depth: number
  references: number
}

/** Called for every FROM reference to a WITH query: 42P19 where PostgreSQL forbids a recursive reference. */
export function checkRecursiveReference(cte: CteEntry, depth: number, pos: number): void {
  const recursion = cte.recursion
  if (recursion === null) return
  const what = `recursive reference to query "${cte.name}" must not appear`
  if (recursion.phase === 'whole') throw invalidRecursion(`recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, pos + 1)
  if (recursion.phase === 'anchor') throw invalidRecursion(`${what} within its non-recursive term`, pos + 1)
  if (depth > recursion.depth) throw invalidRecursion(`${what} within a subquery`, pos + 1)
  recursion.references += 1
  if (recursion.references > 1) throw invalidRecursion(`${what} more than once`, pos + 1)
}

/** The forms PostgreSQL refuses inside a recursive term, found in its plan above the reference. */
function checkStep(plan: PlanNode, cteId: number, name: string, pos: number): boolean {
  const reads = (node: PlanNode): boolean => checkStep(node, cteId, name, pos)
  switch (plan.kind) {
    case 'CteScanNode': return plan.cteId === cteId
    case 'AggregateNode': if (reads(plan.input)) throw invalidRecursion("aggregate functions are not allowed in a recursive query's recursive term", pos + 1); return false
    case 'WindowNode': if (reads(plan.input)) throw invalidRecursion("window functions are not allowed in a recursive query's recursive term", pos + 1); return false
    case 'JoinNode': {
      const [left, right] = [reads(plan.left), reads(plan.right)]
      const nullable = (plan.type === 'left' || plan.type === 'full' || plan.type === 'anti' || plan.type === 'semi') && right
      if (nullable || ((plan.type === 'right' || plan.type === 'full') && left)) {
        throw invalidRecursion(`recursive reference to query "${name}" must not appear within an outer join`, pos + 1)
      }
      return left || right
    }
    case 'SetOpNode': case 'LateralJoinNode': return reads(plan.left) || reads(plan.right)
    case 'WithNode': return plan.ctes.some((c) => reads(c.plan)) || reads(plan.input)
    case 'RecursiveUnionNode': return reads(plan.anchor) || reads(plan.step)
    case 'ScanNode': case 'AggScanNode': case 'ValuesNode': case 'VirtualScanNode': case 'FunctionScanNode': return false
    case 'RowsFromNode': return plan.parts.some(reads)
    default: return reads(plan.input)
  }
}

function refuseOrdering(query: SqlQuery, pos: number): void {
  if (query.orderBy.length > 0) throw featureNotSupported('ORDER BY in a recursive query', pos + 1)
  if (query.limit !== null || query.offset !== null) throw featureNotSupported('OFFSET/LIMIT in a recursive query', pos + 1)
}

/** The recursive term's columns cast to the non-recursive term's types, or 42804 where the union's type differs. */
function unifyStep(cte: SqlCommonTable, anchor: ReadonlyArray<PlanColumn>, step: PlanNode, pos: number): PlanNode {
  if (anchor.length !== step.columns.length) throw syntaxError('each UNION query must have the same number of columns', pos + 1)
  anchor.forEach((column, i) => {
    const overall = commonType([column.type, step.columns[i]!.type], 'UNION', pos)
    if (overall.name !== column.type.name) {
      throw datatypeMismatch(`recursive query "${cte.name}" column ${i + 1} has type ${formatName(column.type)} in non-recursive term but type ${formatName(overall)} overall`, pos + 1)
    }
  })
  return castColumns(step, anchor)
}

/**
 * Plans a WITH RECURSIVE query: a RecursiveUnionNode when it reads itself, else null (the caller plans it as an
 * ordinary WITH query). `register` makes the query visible under its name with the given columns.
 */
export function planRecursiveCte(planner: Planner, cte: SqlCommonTable, outer: Scope | null,
  register: (columns: ReadonlyArray<PlanColumn>) => CteEntry, depth: number): PlanNode | null {
  const body = cte.query.body
  const isUnion = body.kind === 'SqlSetOperation' && body.op === 'union'
  const entry = register([])
  entry.recursion = { phase: isUnion ? 'anchor' : 'whole', depth, references: 0 }
  if (!isUnion) {
    planner.planQuery(cte.query, outer) // 42P19 if it reads itself; its plan is made again as an ordinary WITH query
    return null
  }
  const anchor = planner.planQuery(body.left, outer).plan
  if (cte.columns !== null && cte.columns.length > anchor.columns.length) {
    throw invalidColumnReference(`WITH query "${cte.name}" has ${anchor.columns.length} columns available but ${cte.columns.length} columns specified`, cte.pos + 1)
  }
  const columns = anchor.columns.map((c, i) => ({ ...c, name: cte.columns?.[i] ?? c.name }))
  entry.columns = columns
  entry.recursion.phase = 'step'
  const step = planner.planQuery(body.right, outer).plan
  if (entry.recursion.references === 0) return null
  refuseOrdering(cte.query, cte.pos)
  checkStep(step, entry.cteId, cte.name, body.right.pos)
  return { kind: 'RecursiveUnionNode', cteId: entry.cteId, name: cte.name, all: body.all, anchor, step: unifyStep(cte, anchor.columns, step, body.right.pos), columns }
}
