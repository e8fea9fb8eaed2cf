// sql/optimize/optimizer: runs the rewrite passes over a logical plan, in order. Today one pass: push-predicates
// (time range and column filters into the scan). Parameter values are known here, so $n bounds are pushed too.
import { assertNever } from '../../src/common/assert.js'
import type { LogicalNode } from '../logical/nodes.js'
import { pushPredicates, type ConstResolver } from './push-predicates.js'

export function optimize(node: LogicalNode, resolve: ConstResolver): LogicalNode {
  switch (node.kind) {
    case 'LogicalScan': case 'LogicalOneRow': return node
    case 'LogicalFilter': {
      const input = optimize(node.input, resolve)
      if (input.kind !== 'LogicalScan') return { ...node, input }
      const { scan, residual } = pushPredicates(node, input, resolve)
      return residual === null ? scan : { kind: 'LogicalFilter', input: scan, predicate: residual }
    }
    case 'LogicalAggregate': return { ...node, input: optimize(node.input, resolve) }
    case 'LogicalProject': return { ...node, input: optimize(node.input, resolve) }
    case 'LogicalSort': return { ...node, input: optimize(node.input, resolve) }
    case 'LogicalLimit': return { ...node, input: optimize(node.input, resolve) }
    default: return assertNever(node)
  }
}
