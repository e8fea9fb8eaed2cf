// sql/exec/alter-table: ALTER TABLE t SET (ttl = '<interval>') / RESET (ttl) → SetRetentionOp. ttl is the table's
// retention: whole partitions older than it are dropped by the engine. Other options are 22023, as PostgreSQL
// answers an unknown reloption; a value that is not a positive interval of fixed length is 22023 as well.
import type { Engine } from '../../engine/api.js'
import { OP_VERSION, type SetRetentionOp } from '../../engine/ops.js'
import { invalidParameterValue, isDbError } from '../../src/common/errors.js'
import type { StatementResult } from '../api.js'
import { findTable, missingTable } from '../bind/catalog.js'
import { withEngineErrors } from '../errors.js'
import { parseInterval, intervalSpanUs } from '../expr/interval.js'
import type { SqlAlterTableOptions } from '../parse/ast.js'

const TTL_OPTION = 'ttl'

/** The retention in µs of a ttl value: a positive interval without months or years (their length varies). */
export function parseTtlUs(text: string): number {
  let us: number
  try {
    us = intervalSpanUs(parseInterval(text)) ?? Number.NaN
  } catch (error) {
    if (!isDbError(error)) throw error
    us = Number.NaN
  }
  if (!Number.isSafeInteger(us) || us <= 0) {
    throw invalidParameterValue(`invalid value for parameter "${TTL_OPTION}": "${text}"`)
  }
  return us
}

export async function executeAlterTableOptions(engine: Engine, statement: SqlAlterTableOptions): Promise<StatementResult> {
  const table = findTable(engine, statement.table)
  if (table === undefined) {
    if (statement.ifExists) return { kind: 'CommandResult', commandTag: 'ALTER TABLE' }
    throw missingTable(engine, statement.table, null)
  }
  let retentionUs: number | null | undefined
  for (const option of statement.options) {
    if (option.name !== TTL_OPTION) throw invalidParameterValue(`unrecognized parameter "${option.name}"`)
    retentionUs = option.value === null ? null : parseTtlUs(option.value)
  }
  if (retentionUs !== undefined) {
    const op: SetRetentionOp = { kind: 'SetRetentionOp', v: OP_VERSION, tableId: table.id, retentionUs }
    await withEngineErrors(() => engine.execute(op))
  }
  return { kind: 'CommandResult', commandTag: 'ALTER TABLE' }
}
