// sql/plan/planner: one statement's planning state — the catalog, parameter types, the constant folder used for
// pushdown, and the WITH queries in scope — and the entry point SqlQuery → PlanNode. Plans are built per execution
// (parameter values are folded into the ScanOp), from the cached parse.
import type { Engine } from '../../engine/api.js'
import { featureNotSupported, syntaxError } from '../../src/common/errors.js'
import type { BindContext, SubqueryPlanner } from '../bind/bind-expr.js'
import { Scope } from '../bind/scope.js'
import type { SqlType } from '../bind/types.js'
import type { SqlQuery } from '../parse/ast.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import { planQueryBody } from './plan-query.js'
import type { Folder } from './pushdown.js'
import type { Optimizer } from './optimizers.js'

interface CteEntry { readonly name: string; readonly cteId: number; readonly columns: ReadonlyArray<PlanColumn> }

export class Planner implements SubqueryPlanner {
  private readonly ctes: CteEntry[] = []
  private nextCteId = 0

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

  findCte(name: string): CteEntry | null {
    for (let i = this.ctes.length - 1; i >= 0; i--) if (this.ctes[i]!.name === name) return this.ctes[i]!
    return null
  }

  planSubquery(query: SqlQuery, scope: Scope): { readonly plan: PlanNode; readonly correlated: boolean } {
    const inner = new Scope([], scope, true)
    const { plan } = this.planQuery(query, inner)
    return { plan, correlated: inner.usesOuter }
  }

  /**
   * Plans a query whose names may refer to `outer` (null at top level). WITH queries are planned first and visible
   * to the body and to later WITH queries; each is materialized once per statement.
   */
  planQuery(query: SqlQuery, outer: Scope | null): { readonly plan: PlanNode } {
    const defined: Array<{ cteId: number; plan: PlanNode }> = []
    const mark = this.ctes.length
    try {
      for (const cte of query.with) {
        const { plan } = this.planQuery(cte.query, outer)
        if (cte.columns !== null && cte.columns.length > plan.columns.length) {
          throw syntaxError(`WITH query "${cte.name}" has ${plan.columns.length} columns available but ${cte.columns.length} columns specified`, cte.pos + 1)
        }
        const columns = plan.columns.map((c, i) => ({ ...c, name: cte.columns?.[i] ?? c.name }))
        const cteId = this.nextCteId++
        this.ctes.push({ name: cte.name, cteId, columns })
        defined.push({ cteId, plan })
      }
      const body = planQueryBody(this, query, outer)
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
