// sql/parse/adapt-grouping: GROUP BY with GROUPING SETS, ROLLUP and CUBE expanded into the list of grouping sets, as
// PostgreSQL's expand_grouping_sets does: each GROUP BY item is a list of sets (a plain expression one set of itself,
// () the empty set, ROLLUP(a, b) [a b] [a] [], CUBE every subset, GROUPING SETS the concatenation of its items'), and
// the clause is the cross product of its items, each set the union of the sets it combines. Sets are kept with their
// duplicates (GROUPING SETS ((a), (a)) groups twice, as PostgreSQL).
import type { SqlExpr } from './ast.js'
import { adaptExpr } from './adapt-expr.js'
import { type AdaptContext, type Node, list, str, unwrap } from './adapt-node.js'
import { programLimitExceeded, statementTooComplex } from '../../src/common/errors.js'

/** PostgreSQL's limit on the number of grouping sets (54001 beyond it). */
const GROUPING_SETS_MAX_COUNT = 4096

export interface GroupClause {
  /** Every expression the clause names, in order (the sets index into it). */
  readonly groupBy: ReadonlyArray<SqlExpr>
  /** The expanded sets as indices into groupBy; null for a plain GROUP BY list (one set of all of it). */
  readonly groupingSets: ReadonlyArray<ReadonlyArray<number>> | null
}

type Sets = number[][]

export function adaptGroupClause(ctx: AdaptContext, items: ReadonlyArray<unknown>): GroupClause {
  const groupBy: SqlExpr[] = []
  const add = (value: unknown): number => groupBy.push(adaptExpr(ctx, value)) - 1
  let hasSets = false
  let product: Sets = [[]]
  for (const item of items) {
    const wrapped = unwrap(item)
    if (wrapped?.type === 'GroupingSet') hasSets = true
    const sets = wrapped?.type === 'GroupingSet' ? expandSet(wrapped.node, add) : [[add(item)]]
    product = product.flatMap((left) => sets.map((right) => [...left, ...right]))
    if (product.length > GROUPING_SETS_MAX_COUNT) {
      throw statementTooComplex(`too many grouping sets present (maximum ${GROUPING_SETS_MAX_COUNT})`)
    }
  }
  return { groupBy, groupingSets: hasSets ? product : null }
}

/** One element of ROLLUP/CUBE/GROUPING SETS content: (a, b) is one unit of several expressions. */
function unit(value: unknown, add: (value: unknown) => number): number[] {
  const wrapped = unwrap(value)
  if (wrapped?.type === 'RowExpr' && str(wrapped.node, 'row_format') === 'COERCE_IMPLICIT_CAST') return list(wrapped.node, 'args').map(add)
  return [add(value)]
}

function expandSet(node: Node, add: (value: unknown) => number): Sets {
  const content = list(node, 'content')
  switch (str(node, 'kind')) {
    case 'GROUPING_SET_EMPTY': return [[]]
    case 'GROUPING_SET_SIMPLE': return [content.flatMap((value) => unit(value, add))]
    case 'GROUPING_SET_ROLLUP': {
      const units = content.map((value) => unit(value, add))
      return units.map((_, i) => units.slice(0, units.length - i).flat()).concat([[]])
    }
    case 'GROUPING_SET_CUBE': {
      const units = content.map((value) => unit(value, add))
      if (units.length > 12) throw programLimitExceeded('CUBE is limited to 12 elements')
      const sets: Sets = []
      for (let mask = (1 << units.length) - 1; mask >= 0; mask--) sets.push(units.flatMap((u, i) => ((mask >> (units.length - 1 - i)) & 1) === 1 ? u : []))
      return sets
    }
    default: return content.flatMap((value) => {
      const inner = unwrap(value)
      return inner?.type === 'GroupingSet' ? expandSet(inner.node, add) : [unit(value, add)]
    })
  }
}
