// sql/errors: maps the engine's EngineFailure kinds to SQLSTATEs in one table (the error factories themselves live in
// src/common/errors.ts).
import { isEngineFailureError, type EngineFailure, type EngineFailureKind } from '../engine/api.js'
import {
  DbError, adminShutdown, dataCorrupted, diskFull, duplicateTable, invalidTextRepresentation, ioError, outOfMemory,
  programLimitExceeded, queryCanceled, undefinedTable, divisionByZero, numericValueOutOfRange,
} from '../src/common/errors.js'

const FAILURE_TO_ERROR: Readonly<Record<EngineFailureKind, (failure: EngineFailure) => DbError>> = {
  TableExists: (failure) => duplicateTable(failure.detail),
  NoSuchTable: (failure) => undefinedTable(failure.detail),
  DiskFull: (failure) => diskFull(failure.detail),
  MemoryBudget: (failure) => outOfMemory(failure.detail),
  Corrupt: (failure) => dataCorrupted(failure.detail),
  ShuttingDown: () => adminShutdown(),
  LimitExceeded: (failure) => programLimitExceeded(failure.detail),
  InvalidBatch: (failure) => invalidTextRepresentation('row batch', failure.detail),
  Cancelled: () => queryCanceled(),
  Io: (failure) => ioError(failure.detail),
  DivisionByZero: () => divisionByZero(),
  NumericOutOfRange: (failure) => numericValueOutOfRange(failure.detail),
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
