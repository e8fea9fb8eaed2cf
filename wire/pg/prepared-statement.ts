// wire/pg/prepared-statement: what a session keeps per prepared statement (by the protocol's Parse or SQL PREPARE)
// and per portal (Bind, DECLARE), and the pg_prepared_statements view of them: the text it came from, when, its parameter types as described, and
// how often its plan was taken (each Bind and EXECUTE: nodedb plans a statement once, generically, and reuses it).
import type { ParamValue, PreparedStatement, PreparedStatementInfo, StatementDescription, StatementResult } from '../../sql/api.js'
import type { ResultCursor } from './result-writer.js'

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

/** A bound statement (the protocol's Bind, or DECLARE): what Execute and FETCH read. */
export interface Portal {
  readonly statement: Statement
  readonly params: ReadonlyArray<ParamValue>
  readonly resultFormats: ReadonlyArray<number>
  /** Run once on the first Execute; later Executes continue from the cursor (maxRows, PortalSuspended). */
  result: StatementResult | null
  commandTag: string
  /** The rows still to send; a streamed scan keeps running (bounded by its credit) while the portal lives. */
  cursor: ResultCursor | null
  /** An earlier Execute stopped at maxRows: the final tag then counts only the last Execute's rows. */
  wasSuspended: boolean
  /** DECLARE … BINARY: FETCH in a simple Query sends binary rows. */
  readonly isBinary: boolean
  /** WITH HOLD: 'pending' until its transaction commits, then 'held' (it outlives transactions until closed). */
  hold: 'none' | 'pending' | 'held'
  /** Creation order: ROLLBACK TO SAVEPOINT closes the portals made after the savepoint. */
  readonly serial: number
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
