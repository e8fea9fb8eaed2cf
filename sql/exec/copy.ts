// sql/exec/copy: COPY statements. FROM STDIN binds the target columns and options and returns a CopyInResult whose
// sink (copy-in.ts) receives the data; TO STDOUT runs `SELECT cols FROM t` or the query and returns its rows (streamed
// when the plan streams) with the print options, which wire turns into CopyData (wire/pg/copy-out.ts).
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { duplicateColumn, undefinedColumn } from '../../src/common/errors.js'
import { assert } from '../../src/common/assert.js'
import type { SessionContext, StatementResult } from '../api.js'
import { columnType, findColumn, requireTable, visibleColumns } from '../bind/catalog.js'
import type { SqlCopy, SqlQuery } from '../parse/ast.js'
import { parseSql } from '../parse/parse-sql.js'
import { copyDefaults } from './column-default.js'
import { copyFromSink, type BoundCopyFrom } from './copy-in.js'
import { chosenColumns, readCopyOptions } from './copy-options.js'
import { executeQuery, functionContext } from './query.js'

function copyColumns(table: TableSchema, statement: SqlCopy): number[] {
  if (statement.columns === null) return visibleColumns(table).map((visible) => visible.index)
  const seen = new Set<number>()
  return statement.columns.map((column) => {
    const index = findColumn(table, column.name)
    if (index === undefined) throw undefinedColumn(`${column.name}" of relation "${table.name}`)
    if (seen.has(index)) throw duplicateColumn(column.name)
    seen.add(index)
    return index
  })
}

function copyFrom(engine: Engine, statement: SqlCopy, session: SessionContext): StatementResult {
  assert(statement.table !== null, 'COPY FROM names a table (the grammar has no COPY (query) FROM)')
  const table = requireTable(engine, statement.table.name, statement.table.pos)
  const targets = copyColumns(table, statement)
  const options = readCopyOptions(statement.options, true)
  const names = targets.map((target) => table.columns[target]!.name)
  const bound = {
    table, targets, options,
    targetTypes: targets.map((target) => columnType(table, target)),
    forceNotNull: chosenColumns(options.forceNotNull, 'FORCE_NOT_NULL', names, table.name, visibleNames(table)),
    forceNull: chosenColumns(options.forceNull, 'FORCE_NULL', names, table.name, visibleNames(table)),
    ...defaultsOf(copyDefaults(engine, session, table, targets)),
  }
  // Inside a transaction `engine` is its view (sql.ts executeCounted), which buffers the rows themselves.
  const sink = copyFromSink(engine, bound, functionContext(session, engine), session.writes?.isInTransaction !== true)
  return { kind: 'CopyInResult', format: options.format, columnCount: targets.length, sink }
}

function defaultsOf(defaults: ReturnType<typeof copyDefaults>): Pick<BoundCopyFrom, 'defaults' | 'volatileDefaults'> {
  return { defaults: defaults.values, ...(defaults.volatile.length === 0 ? {} : { volatileDefaults: defaults.volatile }) }
}

function visibleNames(table: TableSchema): string[] {
  return visibleColumns(table).map((visible) => table.columns[visible.index]!.name)
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** COPY t [(cols)] TO: the same rows as SELECT cols FROM t, through the planner (so it streams). */
function tableQuery(engine: Engine, statement: SqlCopy): SqlQuery {
  assert(statement.table !== null, 'COPY TO names a table or a query')
  const table = requireTable(engine, statement.table.name, statement.table.pos)
  const columns = copyColumns(table, statement).map((index) => quoteIdent(table.columns[index]!.name))
  const text = columns.length === 0 ? `SELECT FROM ${quoteIdent(table.name)}` : `SELECT ${columns.join(', ')} FROM ${quoteIdent(table.name)}`
  const ast = parseSql(text)[0]?.parsed.ast
  assert(ast !== undefined && ast.kind === 'SqlQuery', 'a generated SELECT parses as a query')
  return ast
}

async function copyTo(engine: Engine, statement: SqlCopy, session: SessionContext): Promise<StatementResult> {
  const options = readCopyOptions(statement.options, false)
  const query = statement.query ?? tableQuery(engine, statement)
  const rows = await executeQuery(engine, query, [], [], session)
  assert(rows.kind === 'RowsResult' || rows.kind === 'RowStreamResult', 'a query returns rows')
  const names = rows.fields.map((field) => field.name)
  let forceQuote: boolean[]
  try {
    const table = statement.table === null ? null : requireTable(engine, statement.table.name, statement.table.pos)
    forceQuote = chosenColumns(options.forceQuote, 'FORCE_QUOTE', names, table?.name ?? null, table === null ? [] : visibleNames(table))
  } catch (thrown) {
    if (rows.kind === 'RowStreamResult') rows.stream.cancel()
    throw thrown
  }
  const { delimiter, nullString, quote, escape } = options
  const text = { delimiter, nullString, quote, escape, header: options.header === true, forceQuote }
  return { kind: 'CopyOutResult', format: options.format, text, rows }
}

export async function executeCopy(engine: Engine, statement: SqlCopy, session: SessionContext): Promise<StatementResult> {
  return statement.isFrom ? copyFrom(engine, statement, session) : copyTo(engine, statement, session)
}
