// test/unit/sql/helpers: shared fixtures of sql's unit tests — a session, a FakeEngine with the `cpu` table of the
// issue, and small wrappers that run SQL text through the facade and capture DbErrors.
import assert from 'node:assert/strict'
import { isDbError, type DbError } from '../../../src/common/errors.js'
import type { ParamValue, SessionContext, SqlFacade, SqlValue, StatementResult } from '../../../sql/api.js'
import { createSql } from '../../../sql/sql.js'
import { FakeEngine } from './fake-engine.js'

export const CPU_DDL =
  'CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage_user DOUBLE PRECISION, usage_system REAL, ' +
  'cores INT4, bytes BIGINT, region VARCHAR(20), up BOOLEAN, price NUMERIC, seen TIMESTAMP)'

export function newSession(): SessionContext {
  return { settings: new Map([['application_name', ''], ['timezone', 'UTC'], ['server_version', '15.0']]), user: 'alice', database: 'db' }
}

export interface Harness {
  readonly engine: FakeEngine
  readonly sql: SqlFacade
  readonly session: SessionContext
  run(text: string, params?: ReadonlyArray<ParamValue>): Promise<StatementResult[]>
  one(text: string, params?: ReadonlyArray<ParamValue>): Promise<StatementResult>
}

export async function newHarness(ddl: string | null = CPU_DDL): Promise<Harness> {
  const engine = new FakeEngine()
  const sql = createSql(engine)
  const session = newSession()
  const run = async (text: string, params: ReadonlyArray<ParamValue> = []): Promise<StatementResult[]> => {
    const results: StatementResult[] = []
    for (const statement of sql.parse(text)) results.push(await materialize(await sql.execute(statement, params, [], session)))
    return results
  }
  const one = async (text: string, params: ReadonlyArray<ParamValue> = []): Promise<StatementResult> => {
    const results = await run(text, params)
    assert.equal(results.length, 1)
    const [result] = results
    assert.ok(result !== undefined)
    return result
  }
  if (ddl !== null) await run(ddl)
  return { engine, sql, session, run, one }
}

/** A streamed result read to its end, as the RowsResult it would have been materialized (rows, tag). */
export async function materialize(result: StatementResult): Promise<StatementResult> {
  if (result.kind !== 'RowStreamResult') return result
  const rows: Array<ReadonlyArray<SqlValue>> = []
  for await (const batch of result.stream) rows.push(...batch)
  return { kind: 'RowsResult', fields: result.fields, rows, commandTag: `SELECT ${result.stream.rowCount}` }
}

/** The DbError `work` throws or rejects with; fails the test when it succeeds or throws something else. */
export async function dbErrorOf(work: () => unknown): Promise<DbError> {
  try {
    await work()
  } catch (error) {
    if (isDbError(error)) return error
    throw error
  }
  assert.fail('expected a DbError')
}

export function rowsOf(result: StatementResult): ReadonlyArray<ReadonlyArray<unknown>> {
  assert.equal(result.kind, 'RowsResult')
  return result.kind === 'RowsResult' ? result.rows : []
}

export const US_2024 = Date.UTC(2024, 0, 1) * 1000
