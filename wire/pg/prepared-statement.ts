// wire/pg/prepared-statement: what a session keeps per prepared statement (by the protocol's Parse or SQL PREPARE),
// and the pg_prepared_statements view of them: the text it came from, when, its parameter types as described, and
// how often its plan was taken (each Bind and EXECUTE: nodedb plans a statement once, generically, and reuses it).
import type { PreparedStatement, PreparedStatementInfo, StatementDescription } from '../../sql/api.js'

export interface Statement {
  /** null for an empty query string (Execute answers EmptyQueryResponse). */
  readonly prepared: PreparedStatement | null
  readonly declaredOids: ReadonlyArray<number>
  readonly paramCount: number
  description: StatementDescription | null
  /** What pg_prepared_statements shows: where it came from, when, and how often its plan was taken (Bind, EXECUTE). */
  readonly origin: { readonly text: string; readonly preparedAtUs: number; readonly fromSql: boolean }
  plans: number
  /** PREPARE's parameter types as it described them (a Parse keeps its description instead). */
  readonly describedOids?: ReadonlyArray<number>
}

export function originOf(text: string, fromSql: boolean): Statement['origin'] {
  return { text, preparedAtUs: Date.now() * 1000, fromSql }
}

/** The named statements (the unnamed one is not in PostgreSQL's view), parameter types as described. */
export function listStatements(statements: ReadonlyMap<string, Statement>): PreparedStatementInfo[] {
  return [...statements].filter(([name]) => name !== '').map(([name, statement]) => ({
    name, ...statement.origin, plans: statement.plans,
    paramTypeOids: statement.description?.paramTypeOids ?? statement.describedOids ?? statement.declaredOids,
  }))
}
