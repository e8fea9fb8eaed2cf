// src/common/errors: DbError mirrors PostgreSQL's ErrorResponse fields. Only the factories below create one,
// so callers test `code`, never message text. Messages follow PostgreSQL's style: lowercase, no final period.
import { SqlState, type SqlStateCode } from './sqlstate.js'

export type Severity = 'ERROR' | 'FATAL' | 'WARNING' | 'NOTICE'

export interface DbErrorFields {
  readonly code: SqlStateCode
  readonly severity: Severity
  readonly message: string
  readonly detail?: string
  readonly hint?: string
  /** 1-based character offset into the SQL text, as PostgreSQL's `P` field. */
  readonly position?: number
  readonly table?: string
  readonly column?: string
  readonly dataType?: string
  /** PostgreSQL's CONTEXT (`W`): where the error happened, e.g. `COPY t, line 3, column v: "x"`. */
  readonly where?: string
}

export class DbError extends Error {
  readonly code: SqlStateCode
  readonly severity: Severity
  readonly detail: string | undefined
  readonly hint: string | undefined
  readonly position: number | undefined
  readonly table: string | undefined
  readonly column: string | undefined
  readonly dataType: string | undefined
  readonly where: string | undefined

  constructor(fields: DbErrorFields) {
    super(fields.message)
    this.name = 'DbError'
    this.code = fields.code
    this.severity = fields.severity
    this.detail = fields.detail
    this.hint = fields.hint
    this.position = fields.position
    this.table = fields.table
    this.column = fields.column
    this.dataType = fields.dataType
    this.where = fields.where
  }
}

export function isDbError(value: unknown): value is DbError {
  return value instanceof DbError
}

function error(code: SqlStateCode, message: string, extra: Partial<DbErrorFields> = {}): DbError {
  return new DbError({ severity: 'ERROR', ...extra, code, message })
}

/** The same error with PostgreSQL's CONTEXT line set (COPY names the line and column of a bad value). */
export function withContext(thrown: DbError, where: string): DbError {
  return new DbError({ ...thrown, message: thrown.message, where })
}

/** 22P04: malformed COPY data (missing or extra columns, unterminated quotes, a bad binary header). */
export function badCopyFileFormat(message: string, hint?: string): DbError {
  return error(SqlState.badCopyFileFormat, message, hint === undefined ? {} : { hint })
}

/** 22021: bytes that are not valid UTF-8, worded as PostgreSQL words it. */
export function invalidUtf8(bytes: string): DbError {
  return error(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${bytes}`)
}

/** 42883 for an operator: `operator does not exist: integer = text`. */
export function undefinedOperator(signature: string, position?: number, isPrefix = false): DbError {
  const hint = isPrefix
    ? 'No operator matches the given name and argument type. You might need to add an explicit type cast.'
    : 'No operator matches the given name and argument types. You might need to add explicit type casts.'
  return error(SqlState.undefinedFunction, `operator does not exist: ${signature}`, { position, hint })
}
/** 42846: no cast between two types. */
export function cannotCoerce(from: string, to: string, position?: number): DbError {
  return error(SqlState.cannotCoerce, `cannot cast type ${from} to ${to}`, { position })
}
/** 21000: a scalar subquery returned more than one row. */
export function cardinalityViolation(message: string): DbError {
  return error(SqlState.cardinalityViolation, message)
}
/** 2201W / 2201X: a negative LIMIT or OFFSET, worded as PostgreSQL words it. */
export function invalidRowCount(clause: 'LIMIT' | 'OFFSET'): DbError {
  return clause === 'LIMIT'
    ? error(SqlState.invalidRowCountInLimitClause, 'LIMIT must not be negative')
    : error(SqlState.invalidRowCountInResultOffsetClause, 'OFFSET must not be negative')
}
/** 42P20: a window function where it may not stand, or a bad frame. */
export function windowingError(message: string, position?: number): DbError {
  return error(SqlState.windowingError, message, { position })
}
export function syntaxError(message: string, position?: number): DbError {
  return error(SqlState.syntaxError, message, position === undefined ? {} : { position })
}
export function featureNotSupported(what: string, position?: number): DbError {
  return error(SqlState.featureNotSupported, `${what} is not supported`, position === undefined ? {} : { position })
}
/** 0A000 with PostgreSQL's own wording, e.g. 'cannot convert NaN to integer'. */
export function featureNotSupportedMessage(message: string): DbError {
  return error(SqlState.featureNotSupported, message)
}
/** 42712: two FROM items of one query level under the same name (checkNameSpaceConflicts). */
export function duplicateAlias(name: string): DbError {
  return error(SqlState.duplicateAlias, `table name "${name}" specified more than once`)
}
export function undefinedTable(name: string, position?: number): DbError {
  const extra = position === undefined ? {} : { position }
  return error(SqlState.undefinedTable, `relation "${name}" does not exist`, { ...extra, table: name })
}
/** An error with PostgreSQL's code and words where no helper fits (views' 42P16 / 42P17 / 2BP01 / 42809). */
export function dbError(code: SqlStateCode, message: string, extra: Partial<DbErrorFields> = {}): DbError {
  return error(code, message, extra)
}
export function duplicateTable(name: string): DbError {
  return error(SqlState.duplicateTable, `relation "${name}" already exists`, { table: name })
}
/** DROP TABLE's own wording for a missing table (PostgreSQL's DropErrorMsgNonExistent). */
export function undefinedTableToDrop(name: string): DbError {
  return error(SqlState.undefinedTable, `table "${name}" does not exist`, { table: name })
}
/** ALTER TABLE ADD COLUMN / RENAME COLUMN onto a name the table already has (PostgreSQL's wording). */
export function columnAlreadyExists(column: string, table: string): DbError {
  return error(SqlState.duplicateColumn, `column "${column}" of relation "${table}" already exists`, { column, table })
}
export function undefinedColumn(name: string, position?: number): DbError {
  const extra = position === undefined ? {} : { position }
  return error(SqlState.undefinedColumn, `column "${name}" does not exist`, { ...extra, column: name })
}
export function duplicateColumn(name: string): DbError {
  return error(SqlState.duplicateColumn, `column "${name}" specified more than once`, { column: name })
}
export function ambiguousColumn(name: string, position?: number): DbError {
  const extra = position === undefined ? {} : { position }
  return error(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`, extra)
}
export function ambiguousFunction(message: string): DbError {
  return error(SqlState.ambiguousFunction, message)
}
/** 42725 for a call more than one overload fits equally well (func_select_candidate found no single best). */
export function ambiguousFunctionCall(signature: string, position?: number): DbError {
  const hint = 'Could not choose a best candidate function. You might need to add explicit type casts.'
  return error(SqlState.ambiguousFunction, `function ${signature} is not unique`, { position, hint })
}
export function ambiguousOperator(signature: string, position?: number): DbError {
  const hint = 'Could not choose a best candidate operator. You might need to add explicit type casts.'
  return error(SqlState.ambiguousFunction, `operator is not unique: ${signature}`, { position, hint })
}
export function undefinedFunction(signature: string, position?: number): DbError {
  const extra = position === undefined ? {} : { position }
  const hint = 'No function matches the given name and argument types. You might need to add explicit type casts.'
  return error(SqlState.undefinedFunction, `function ${signature} does not exist`, { ...extra, hint })
}
/** 42883 worded as a message of its own ("could not identify an equality operator for type json"). */
export function undefinedFunctionMessage(message: string): DbError {
  return error(SqlState.undefinedFunction, message)
}
export function undefinedObject(message: string): DbError {
  return error(SqlState.undefinedObject, message)
}
export function groupingError(column: string, position?: number): DbError {
  const extra = position === undefined ? {} : { position }
  const message = `column "${column}" must appear in the GROUP BY clause or be used in an aggregate function`
  return error(SqlState.groupingError, message, extra)
}
export function invalidRecursion(message: string, position?: number): DbError {
  return error(SqlState.invalidRecursion, message, position === undefined ? {} : { position })
}
export function datatypeMismatch(message: string, position?: number): DbError {
  return error(SqlState.datatypeMismatch, message, position === undefined ? {} : { position })
}
export function invalidTextRepresentation(typeName: string, value: string): DbError {
  return error(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${value}"`)
}
/** 22P02 worded as a message of its own ("expected a left parenthesis"). */
export function invalidTextRepresentationMessage(message: string): DbError {
  return error(SqlState.invalidTextRepresentation, message)
}
export function invalidBinaryRepresentation(message: string): DbError {
  return error(SqlState.invalidBinaryRepresentation, message)
}
export function invalidDatetimeFormat(typeName: string, value: string): DbError {
  return error(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${value}"`)
}
export function invalidParameterValue(message: string): DbError {
  return error(SqlState.invalidParameterValue, message)
}
/** 22P05: jsonb refusing \u0000, which text cannot hold. */
export function unsupportedUnicodeEscape(): DbError {
  return error(SqlState.untranslatableCharacter, 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' })
}
export function arraySubscriptError(message: string): DbError {
  return error(SqlState.arraySubscriptError, message)
}
export function stringDataRightTruncation(message: string): DbError {
  return error(SqlState.stringDataRightTruncation, message)
}
export function numericValueOutOfRange(message: string): DbError {
  return error(SqlState.numericValueOutOfRange, message)
}
export function divisionByZero(): DbError {
  return error(SqlState.divisionByZero, 'division by zero')
}
export function invalidArgumentForLogarithm(message: string): DbError {
  return error(SqlState.invalidArgumentForLogarithm, message)
}
export function invalidArgumentForPowerFunction(message: string): DbError {
  return error(SqlState.invalidArgumentForPowerFunction, message)
}
export function invalidArgumentForWidthBucket(message: string): DbError {
  return error(SqlState.invalidArgumentForWidthBucketFunction, message)
}
export function invalidRegularExpression(detail: string): DbError {
  return error(SqlState.invalidRegularExpression, `invalid regular expression: ${detail}`)
}
export function substringError(message: string): DbError {
  return error(SqlState.substringError, message)
}
export function invalidEscapeSequence(message: string, hint?: string): DbError {
  return error(SqlState.invalidEscapeSequence, message, hint === undefined ? {} : { hint })
}
export function invalidEscapeCharacter(message: string): DbError {
  return error(SqlState.invalidEscapeCharacter, message)
}
export function invalidUseOfEscapeCharacter(message: string): DbError {
  return error(SqlState.invalidUseOfEscapeCharacter, message)
}
export function nullValueNotAllowed(message: string): DbError {
  return error(SqlState.nullValueNotAllowed, message)
}
export function notNullViolation(column: string, table: string): DbError {
  const message = `null value in column "${column}" of relation "${table}" violates not-null constraint`
  return error(SqlState.notNullViolation, message, { column, table })
}
export function invalidTableDefinition(message: string): DbError {
  return error(SqlState.invalidTableDefinition, message)
}
export function invalidColumnReference(message: string, position?: number): DbError {
  return error(SqlState.invalidColumnReference, message, position === undefined ? {} : { position })
}
export function unsupportedProtocol(major: number, minor: number): DbError {
  const message = `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`
  return new DbError({ severity: 'FATAL', code: SqlState.featureNotSupported, message })
}
export function noUserName(): DbError {
  const message = 'no PostgreSQL user name specified in startup packet'
  return new DbError({ severity: 'FATAL', code: SqlState.invalidAuthorizationSpecification, message })
}
export function protocolViolation(detail: string): DbError {
  return error(SqlState.protocolViolation, detail)
}
export function fatalProtocolViolation(detail: string): DbError {
  return new DbError({ severity: 'FATAL', code: SqlState.protocolViolation, message: detail })
}
export function invalidStatementName(name: string): DbError {
  const message = name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`
  return error(SqlState.invalidSqlStatementName, message)
}
export function duplicatePreparedStatement(name: string): DbError {
  return error(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`)
}
export function invalidCursorName(name: string): DbError {
  return error(SqlState.invalidCursorName, `portal "${name}" does not exist`)
}
/** CLOSE of a name no portal has (PostgreSQL's PerformPortalClose wording). */
export function undefinedCursor(name: string): DbError {
  return error(SqlState.invalidCursorName, `cursor "${name}" does not exist`)
}
export function inFailedTransaction(): DbError {
  const message = 'current transaction is aborted, commands ignored until end of transaction block'
  return error(SqlState.inFailedSqlTransaction, message)
}
export function programLimitExceeded(message: string): DbError {
  return error(SqlState.programLimitExceeded, message)
}
/** 42803 with a message of its own (GROUPING in the wrong place or over a non-key). */
export function groupingMisuse(message: string, position?: number): DbError {
  return error(SqlState.groupingError, message, position === undefined ? {} : { position })
}
export function tooManyArguments(message: string, position?: number): DbError {
  return error(SqlState.tooManyArguments, message, position === undefined ? {} : { position })
}
export function statementTooComplex(message: string): DbError {
  return error(SqlState.statementTooComplex, message)
}
export function tooManyConnections(): DbError {
  return new DbError({ severity: 'FATAL', code: SqlState.tooManyConnections, message: 'sorry, too many clients already' })
}
/** 40P01: a lock wait that would close a cycle of sessions waiting on each other. */
export function deadlockDetected(detail: string): DbError {
  return error(SqlState.deadlockDetected, 'deadlock detected', { detail })
}
export function queryCanceled(): DbError {
  return error(SqlState.queryCanceled, 'canceling statement due to user request')
}
export function queryTimedOut(): DbError {
  return error(SqlState.queryCanceled, 'canceling statement due to statement timeout')
}
export function idleInTransactionTimeout(): DbError {
  const message = 'terminating connection due to idle-in-transaction timeout'
  return new DbError({ severity: 'FATAL', code: SqlState.idleInTransactionSessionTimeout, message })
}
export function idleSessionTimeout(): DbError {
  const message = 'terminating connection due to idle-session timeout'
  return new DbError({ severity: 'FATAL', code: SqlState.idleSessionTimeout, message })
}
export function cantChangeRuntimeParam(name: string): DbError {
  return error(SqlState.cantChangeRuntimeParam, `parameter "${name}" cannot be changed`)
}
/** WARNING 25P01 (a NoticeResponse): SET LOCAL outside a transaction block has no effect. */
export function setLocalOutsideTransaction(): DbError {
  const message = 'SET LOCAL can only be used in transaction blocks'
  return new DbError({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message })
}
/** WARNING (a NoticeResponse) for BEGIN inside a block (25001) or COMMIT/ROLLBACK outside one (25P01). */
export function transactionWarning(message: 'there is already a transaction in progress' | 'there is no transaction in progress'): DbError {
  const code = message === 'there is no transaction in progress' ? SqlState.noActiveSqlTransaction : SqlState.activeSqlTransaction
  return new DbError({ severity: 'WARNING', code, message })
}
export function activeSqlTransaction(message: string): DbError {
  return error(SqlState.activeSqlTransaction, message)
}
export function adminShutdown(): DbError {
  const message = 'terminating connection due to administrator command'
  return new DbError({ severity: 'FATAL', code: SqlState.adminShutdown, message })
}
export function diskFull(detail: string): DbError {
  return error(SqlState.diskFull, 'could not write to file: no space left on device', { detail })
}
/** 53400: a configured limit reached (the transaction buffer); the hint names the setting. */
export function configurationLimitExceeded(message: string, hint: string): DbError {
  return error(SqlState.configurationLimitExceeded, message, { hint })
}
export function outOfMemory(detail: string): DbError {
  return error(SqlState.outOfMemory, 'out of memory', { detail })
}
export function dataCorrupted(detail: string): DbError {
  return error(SqlState.dataCorrupted, 'data corrupted', { detail })
}
export function ioError(detail: string): DbError {
  return error(SqlState.ioError, 'could not access file', { detail })
}
/** The one constructor of XX000: only the statement boundary in wire/pg/session.ts may call it. */
export function internalError(detail: string): DbError {
  return error(SqlState.internalError, `internal error: ${detail}`)
}
export function datetimeFieldOverflow(message: string): DbError {
  return error(SqlState.datetimeFieldOverflow, message)
}
export function intervalFieldOverflow(message: string): DbError {
  return error(SqlState.intervalFieldOverflow, message)
}
/** 0A000 with PostgreSQL's own wording (featureNotSupported appends "is not supported"). */
export function notSupported(message: string): DbError {
  return error(SqlState.featureNotSupported, message)
}
/** DECLARE of a name a portal already has (PostgreSQL's PerformCursorOpen). */
export function duplicateCursor(name: string): DbError {
  return error(SqlState.duplicateCursor, `cursor "${name}" already exists`)
}
/** 25P01 as an error: a statement that only works inside a transaction block (DECLARE, SAVEPOINT, …). */
export function noActiveSqlTransaction(statement: string): DbError {
  return error(SqlState.noActiveSqlTransaction, `${statement} can only be used in transaction blocks`)
}
export function undefinedSavepoint(name: string): DbError {
  return error(SqlState.invalidSavepointSpecification, `savepoint "${name}" does not exist`)
}
/** EXECUTE with too many or too few arguments (PostgreSQL's EvaluateParams). */
export function wrongParameterCount(name: string, expected: number, got: number): DbError {
  return error(SqlState.syntaxError, `wrong number of parameters for prepared statement "${name}"`,
    { detail: `Expected ${expected} parameters but got ${got}.` })
}
/** $n where the statement has no such parameter (a utility statement such as EXECUTE has none). */
export function undefinedParameter(index: number, position?: number): DbError {
  return error(SqlState.undefinedParameter, `there is no parameter $${index}`, position === undefined ? {} : { position })
}
/** A database name that is not this server's one (nodedb has one database per server: the one connected to). */
export function undefinedDatabase(name: string): DbError {
  return error(SqlState.invalidCatalogName, `database "${name}" does not exist`)
}
