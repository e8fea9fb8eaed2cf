// sql/errors: maps the engine's EngineFailure kinds to SQLSTATEs in one table (the error factories themselves live in
// src/common/errors.ts).
import { INFINITE_DESIGNATED_TIMESTAMP, isEngineFailureError, type EngineFailure, type EngineFailureKind } from '../engine/api.js'
import { TABLE_OID_BASE } from './bind/catalog.js'
import { SqlState } from '../src/common/sqlstate.js'
import {
  DbError, adminShutdown, dataCorrupted, diskFull, duplicateTable, invalidTextRepresentation, ioError, outOfMemory,
  programLimitExceeded, queryCanceled, featureNotSupported, featureNotSupportedMessage, undefinedTable, divisionByZero, numericValueOutOfRange,
} from '../src/common/errors.js'

const FAILURE_TO_ERROR: Readonly<Record<EngineFailureKind, (failure: EngineFailure) => DbError>> = {
  TableExists: (failure) => duplicateTable(relationNameIn(failure.detail)),
  NoSuchTable: noSuchTable,
  DiskFull: (failure) => diskFull(failure.detail),
  MemoryBudget: (failure) => outOfMemory(failure.detail),
  Corrupt: (failure) => dataCorrupted(failure.detail),
  ShuttingDown: () => adminShutdown(),
  LimitExceeded: (failure) => programLimitExceeded(failure.detail),
  InvalidBatch: (failure) => (failure.detail === INFINITE_DESIGNATED_TIMESTAMP ? featureNotSupported(failure.detail)
    : invalidTextRepresentation('row batch', failure.detail)),
  Cancelled: () => queryCanceled(),
  Io: (failure) => ioError(failure.detail),
  DivisionByZero: () => divisionByZero(),
  NumericOutOfRange: (failure) => numericValueOutOfRange(failure.detail),
  NotSupported: (failure) => featureNotSupportedMessage(failure.detail),
}

/** The name in the engine's `relation "x" already exists` / `… does not exist` (the whole detail when none is quoted). */
function relationNameIn(detail: string): string {
  const quoted = /^relation "(.*)" (?:already exists|does not exist)$/s.exec(detail)
  return quoted?.[1] ?? detail
}

/**
 * The engine names a vanished table by id (`table 7 does not exist`, a table dropped while a statement ran):
 * PostgreSQL's wording for a relation known only by OID, with the OID sql gives that table (sql/bind/catalog.ts).
 */
function noSuchTable(failure: EngineFailure): DbError {
  const byId = /^table (\d+) does not exist$/.exec(failure.detail)
  if (byId === null) return undefinedTable(relationNameIn(failure.detail))
  const oid = TABLE_OID_BASE + Number(byId[1]) - 1
  return new DbError({ severity: 'ERROR', code: SqlState.undefinedTable, message: `relation with OID ${oid} does not exist` })
}

/** EngineFailure → DbError. */
export function engineFailureToDbError(failure: EngineFailure): DbError {
  return FAILURE_TO_ERROR[failure.kind](failure)
}

/** Runs an engine call, turning an EngineFailureError into its DbError; anything else (a bug) passes through. */
export async function withEngineErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isEngineFailureError(error)) throw engineFailureToDbError(error.failure)
    throw error
  }
}
