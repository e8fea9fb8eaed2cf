// sql/plan/output-name: the column name PostgreSQL gives a select-list expression without an alias (FigureColname
// in parse_target.c): a column's name, a function's name, a cast's inner name or type name, 'case', else '?column?'.
import type { SqlExpr } from '../parse/ast.js'

const DISPLAY: Readonly<Record<string, string>> = {
  int4: 'int4', int8: 'int8', int2: 'int2', float8: 'float8', float4: 'float4', bool: 'bool', text: 'text',
  varchar: 'varchar', bpchar: 'bpchar', numeric: 'numeric', timestamptz: 'timestamptz', timestamp: 'timestamp',
  date: 'date', interval: 'interval',
}

function figure(expr: SqlExpr): string | null {
  switch (expr.kind) {
    case 'ExprColumn': return expr.names[expr.names.length - 1] ?? null
    case 'ExprCall': return expr.name
    case 'ExprCast': return figure(expr.expr) ?? DISPLAY[expr.type.name] ?? expr.type.name
    case 'ExprCase': return 'case'
    case 'ExprBool': return 'bool'
    case 'ExprExists': return 'exists'
    case 'ExprArray': return 'array'
    case 'ExprSubquery': {
      const body = expr.query.body
      const first = body.kind === 'SqlSelectCore' ? body.items[0] : undefined
      if (first === undefined) return null
      return first.alias ?? figure(first.expr)
    }
    case 'ExprSubscript': return figure(expr.expr)
    default: return null
  }
}

export function outputName(expr: SqlExpr): string {
  return figure(expr) ?? '?column?'
}
