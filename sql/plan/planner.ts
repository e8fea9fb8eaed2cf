// sql/plan/planner: one statement's planning state — the catalog, parameter types, the constant folder used for
// pushdown, and the WITH queries in scope — and the entry point SqlQuery → PlanNode. Plans are built per execution
// (parameter values are folded into the ScanOp), from the cached parse.
import type { Engine } from '../../engine/api.js'
import { dbError, featureNotSupported, invalidColumnReference } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { BindContext, SubqueryPlanner } from '../bind/bind-expr.js'
import { Scope } from '../bind/scope.js'
import type { SqlType } from '../bind/types.js'
import type { SqlQuery } from '../parse/ast.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import { checkJsonKeys } from './check-json-keys.js'
import { planQueryBody } from './plan-query.js'
import { checkRecursiveReference, planRecursiveCte, type Recursion } from './plan-recursive.js'
import type { Folder } from './pushdown.js'
import type { Optimizer } from './optimizers.js'

/** A WITH query in scope. A recursive one is visible while its own terms are planned (recursion set meanwhile). */
export interface CteEntry {
  readonly name: string
  readonly cteId: number
  columns: ReadonlyArray<PlanColumn>
  recursion: Recursion | null
}

export class Planner implements SubqueryPlanner {
  /** The tables and views the statement names itself, not through a view (CREATE VIEW's dependencies). */
  readonly relations = new Set<string>()
  private readonly ctes: CteEntry[] = []
  /** Views being expanded around the current point (a view reading itself is PostgreSQL's 42P17). */
  private readonly viewStack: string[] = []
  private nextCteId = 0
  /** Subquery expressions being planned around the current point (a recursive reference may not sit in one). */
  private subqueryDepth = 0

  /**
   * `isDescribing`: planning only for the result's shape (Describe, or inferring $n types before the values are
   * decoded): parameter values are unknown, so nothing that needs them (gap-fill ranges) may be refused for it.
   */
  constructor(readonly engine: Engine, readonly paramTypes: Array<SqlType | null>, readonly fold: Folder, readonly isDescribing = false,
    /** The session's TimeZone (null while describing): date_trunc over timestamptz reaches the cores only in UTC. */
    readonly timeZone: string | null = null,
    /** Rewrites this session switched off (SET nodedb.disabled_optimizers). */
    readonly disabled: ReadonlySet<Optimizer> = new Set()) {}

  bindContext(scope: Scope, clause: string, options: { allowAggregates?: boolean; allowWindows?: boolean } = {}): BindContext {
    return {
      scope, paramTypes: this.paramTypes, planner: this, clause,
      allowAggregates: options.allowAggregates ?? false, allowWindows: options.allowWindows ?? false,
    }
  }

  /** The WITH query `name` refers to at `pos`, if any (42P19 where a recursive query may not read itself). */
  findCte(name: string, pos: number): CteEntry | null {
    for (let i = this.ctes.length - 1; i >= 0; i--) {
      const cte = this.ctes[i]!
      if (cte.name !== name) continue
      checkRecursiveReference(cte, this.subqueryDepth, pos)
      return cte
    }
    return null
  }

  planSubquery(query: SqlQuery, scope: Scope): { readonly plan: PlanNode; readonly correlated: boolean } {
    const inner = new Scope([], scope, true)
    this.subqueryDepth += 1
    try {
      const { plan } = this.planQuery(query, inner)
      return { plan, correlated: inner.usesOuter }
    } finally {
      this.subqueryDepth -= 1
    }
  }

  /**
   * A view's query, planned as a statement of its own: the CTEs and subqueries around the reference are not visible
   * in it (its names meant what they meant at CREATE VIEW), and a view that reaches itself is refused.
   */
  planView(name: string, query: SqlQuery): PlanNode {
    if (this.viewStack.includes(name)) throw dbError(SqlState.invalidObjectDefinition, `infinite recursion detected in rules for relation "${name}"`)
    const ctes = this.ctes.splice(0)
    const depth = this.subqueryDepth
    this.subqueryDepth = 0
    this.viewStack.push(name)
    try {
      return this.planQuery(query, null).plan
    } finally {
      this.viewStack.pop()
      this.subqueryDepth = depth
      this.ctes.push(...ctes)
    }
  }

  /** A table or view named in FROM: recorded unless it is read through a view being expanded. */
  noteRelation(name: string): void {
    if (this.viewStack.length === 0) this.relations.add(name)
  }

  private defineCte(cte: SqlQuery['with'][number], outer: Scope | null): { cteId: number; plan: PlanNode } {
    if (cte.recursive) {
      let entry: CteEntry | null = null
      const register = (columns: ReadonlyArray<PlanColumn>): CteEntry => {
        entry = { name: cte.name, cteId: this.nextCteId++, columns, recursion: null }
        this.ctes.push(entry)
        return entry
      }
      const mark = this.ctes.length
      const recursive = planRecursiveCte(this, cte, outer, register, this.subqueryDepth)
      const done = entry as CteEntry | null
      if (recursive !== null && done !== null) {
        done.recursion = null
        return { cteId: done.cteId, plan: recursive }
      }
      this.ctes.length = mark // it does not read itself: planned again below as an ordinary WITH query
    }
    const { plan } = this.planQuery(cte.query, outer)
    if (cte.columns !== null && cte.columns.length > plan.columns.length) {
      throw invalidColumnReference(`WITH query "${cte.name}" has ${plan.columns.length} columns available but ${cte.columns.length} columns specified`, cte.pos + 1)
    }
    const columns = plan.columns.map((c, i) => ({ ...c, name: cte.columns?.[i] ?? c.name }))
    const cteId = this.nextCteId++
    this.ctes.push({ name: cte.name, cteId, columns, recursion: null })
    return { cteId, plan }
  }

  /**
   * Plans a query whose names may refer to `outer` (null at top level). WITH queries are planned first and visible
   * to the body and to later WITH queries; each is materialized once per statement.
   */
  planQuery(query: SqlQuery, outer: Scope | null): { readonly plan: PlanNode } {
    const defined: Array<{ cteId: number; plan: PlanNode }> = []
    const mark = this.ctes.length
    try {
      for (const cte of query.with) defined.push(this.defineCte(cte, outer))
      const body = planQueryBody(this, query, outer)
      checkJsonKeys(body)
      if (defined.length === 0) return { plan: body }
      return { plan: { kind: 'WithNode', ctes: defined, input: body, columns: body.columns } }
    } finally {
      this.ctes.length = mark
    }
  }
}

export function refuse(what: string, pos: number): never {
  throw featureNotSupported(what, pos + 1)
}
