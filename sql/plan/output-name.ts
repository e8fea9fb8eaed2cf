// sql/plan/output-name: the column name PostgreSQL gives a select-list expression without an alias (FigureColname
// in parse_target.c): a column's or function's name is strong; a cast whose inner name is weak takes its type's
// name; CASE is 'case'; boolean literals are casts to bool in PostgreSQL 15's grammar ('bool'); else '?column?'.
import type { SqlExpr } from '../parse/ast.js'

interface Figured { readonly name: string; readonly strength: number }

function figure(expr: SqlExpr): Figured | null {
  switch (expr.kind) {
    case 'ExprColumn': return { name: expr.names[expr.names.length - 1] ?? '?column?', strength: 2 }
    case 'ExprCall': return { name: expr.name, strength: 2 }
    case 'ExprCast': {
      const inner = figure(expr.expr)
      if (inner !== null && inner.strength > 1) return inner
      return { name: expr.type.name, strength: 1 }
    }
    case 'ExprCase': {
      // The ELSE result's name when it is strong (CASE … ELSE c.reloftype::regtype::text END is "reloftype").
      const otherwise = expr.else === null ? null : figure(expr.else)
      return otherwise !== null && otherwise.strength > 1 ? otherwise : { name: 'case', strength: 1 }
    }
    case 'ExprBool': return { name: 'bool', strength: 1 }
    case 'ExprExists': return { name: 'exists', strength: 2 }
    case 'ExprArray': return { name: 'array', strength: 2 }
    case 'ExprSubquery': {
      if (expr.asArray === true) return { name: 'array', strength: 2 }
      const body = expr.query.body
      const first = body.kind === 'SqlSelectCore' ? body.items[0] : undefined
      if (first === undefined) return null
      return first.alias !== null ? { name: first.alias, strength: 2 } : figure(first.expr)
    }
    case 'ExprSubscript': case 'ExprSlice': return figure(expr.expr)
    case 'ExprGrouping': return { name: 'grouping', strength: 2 }
    default: return null
  }
}

export function outputName(expr: SqlExpr): string {
  return figure(expr)?.name ?? '?column?'
}
