// sql/plan/plan-grouping-sets: GROUP BY GROUPING SETS / ROLLUP / CUBE as one aggregate per set (each may be pushed to
// the cores like any GROUP BY), every set's rows projected onto one layout — all keys, NULL where the set does not
// group by a key, the set's index (for GROUPING()), then the aggregates — and appended (UNION ALL). HAVING, window
// functions, ORDER BY and the select list then run over that layout exactly as over a plain GROUP BY's.
import type { AggCall, Expr } from '../bind/expr.js'
import { sqlType } from '../bind/types.js'
import { planColumn, type PlanColumn, type PlanNode } from './plan-node.js'

type AggregatePlanner = (input: PlanNode, keys: ReadonlyArray<Expr>, calls: ReadonlyArray<AggCall>, columns: ReadonlyArray<PlanColumn>) => PlanNode

const INT4 = sqlType('int4')

export function planGroupingSets(input: PlanNode, keys: ReadonlyArray<Expr>, sets: ReadonlyArray<ReadonlyArray<number>>,
  calls: ReadonlyArray<AggCall>, aggregate: AggregatePlanner): PlanNode {
  const columns: PlanColumn[] = [
    ...keys.map((k, i) => planColumn(`key${i}`, k.type)), planColumn('grouping_set', INT4), ...calls.map((c) => planColumn(c.fn.name, c.type)),
  ]
  const branches = sets.map((set, index): PlanNode => {
    const setKeys = set.map((i) => keys[i]!)
    const setColumns = [...setKeys.map((k, i) => planColumn(`key${i}`, k.type)), ...calls.map((c) => planColumn(c.fn.name, c.type))]
    const grouped = aggregate(input, setKeys, calls, setColumns)
    const exprs: Expr[] = [
      ...keys.map((key, i): Expr => {
        const at = set.indexOf(i)
        return at >= 0 ? { kind: 'Slot', slot: at, type: key.type, name: '' } : { kind: 'Const', value: null, type: key.type }
      }),
      { kind: 'Const', value: index, type: INT4 },
      ...calls.map((call, j): Expr => ({ kind: 'Slot', slot: set.length + j, type: call.type, name: '' })),
    ]
    return { kind: 'ProjectNode', input: grouped, exprs, columns }
  })
  return branches.reduce((left, right) => ({ kind: 'SetOpNode', op: 'union', all: true, left, right, columns }))
}
