// sql/parse/adapt-type: PostgreSQL's TypeName node → SqlTypeName. Type names are
// canonicalised as ast.ts says: the grammar already maps INT → pg_catalog.int4 and so on; we drop the pg_catalog
// qualifier and keep integer modifiers. Knows nothing of what the types mean (the binder does).
import type { SqlTypeName } from './ast.js'
import { type AdaptContext, type Node, bool, list, loc, nodeField, num, stringList, unsupported, wrapped } from './adapt-node.js'

/** PostgreSQL's INTERVAL_FULL_RANGE: the typmod range meaning "no field restriction" (interval(p) alone). */
const INTERVAL_FULL_RANGE = 0x7fff

/** An integer modifier: PostgreSQL gives them as A_Const integers (varchar(20) → 20). */
function typmod(value: unknown, pos: number): number {
  const constant = wrapped(value, 'A_Const')
  const ival = constant === null ? null : nodeField(constant, 'ival')
  if (constant === null || ival === null) return unsupported('a type modifier other than an integer', pos)
  return num(ival, 'ival')
}

export function adaptTypeName(ctx: AdaptContext, typeName: Node, fallbackPos: number): SqlTypeName {
  const pos = loc(ctx, typeName, fallbackPos)
  if (bool(typeName, 'setof')) return unsupported('SETOF', pos)
  if (bool(typeName, 'pct_type')) return unsupported('%TYPE', pos)
  const names = stringList(list(typeName, 'names'))
  if (names === null || names.length === 0) return unsupported('this type name', pos)
  const isQualified = names.length > 1
  if (names.length > 2 || (isQualified && names[0] !== 'pg_catalog')) return unsupported(`a type name qualified by schema "${names[0] ?? ''}"`, pos)
  const name = names[names.length - 1] ?? ''
  let args = list(typeName, 'typmods').map((value) => typmod(value, pos))
  if (name === 'interval' && args.length > 0) {
    if (args[0] !== INTERVAL_FULL_RANGE) return unsupported('INTERVAL with a field restriction (e.g. INTERVAL \'1\' DAY)', pos)
    args = args.slice(1)
  }
  return { name, args, isArray: list(typeName, 'arrayBounds').length > 0 }
}
