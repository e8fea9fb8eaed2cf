// wire/ilp/ilp-error: the coded, per-line errors of the line protocol parser, as plain values (never thrown).
// Knows nothing of sockets, HTTP status codes or SQL; callers test `code`, never the message text.

/**
 * Every way a line can be rejected. These strings reach clients (HTTP 400 bodies, logs, metrics):
 * append-only, pinned by test/unit/wire/ilp/ilp-error.test.ts.
 */
export type IlpErrorCode =
  | 'MissingMeasurement'
  | 'BadTag'
  | 'DuplicateTag'
  | 'MissingFields'
  | 'BadFieldKey'
  | 'BadFieldValue'
  | 'BadTypeSuffix'
  | 'IntegerOverflow'
  | 'UnterminatedString'
  | 'BadEscape'
  | 'InvalidUtf8'
  | 'LineTooLong'
  | 'BadTimestamp'
  | 'TimestampOutOfRange'
  | 'TypeConflict'

/** A rejected line: 1-based line number in the stream, 1-based byte column where the problem was found. */
export interface IlpError {
  readonly line: number
  readonly column: number
  readonly code: IlpErrorCode
}

const MESSAGES: Readonly<Record<IlpErrorCode, string>> = {
  MissingMeasurement: 'missing measurement',
  BadTag: 'invalid tag: expected key=value with a non-empty key and value',
  DuplicateTag: 'duplicate tag key',
  MissingFields: 'missing fields',
  BadFieldKey: 'invalid field: expected key=value with a non-empty key',
  BadFieldValue: 'invalid field value',
  BadTypeSuffix: 'invalid type suffix on numeric field value',
  IntegerOverflow: 'integer field value out of range',
  UnterminatedString: 'unterminated string field value',
  BadEscape: 'backslash at end of line',
  InvalidUtf8: 'invalid UTF-8',
  LineTooLong: 'line too long',
  BadTimestamp: 'invalid timestamp',
  TimestampOutOfRange: 'timestamp out of range',
  TypeConflict: 'field type conflicts with an earlier line of the same measurement',
}

/** PostgreSQL-style message (lowercase, no final period) for logs and the HTTP 400 body. */
export function ilpErrorMessage(error: IlpError): string {
  return `line ${error.line}, column ${error.column}: ${MESSAGES[error.code]}`
}

export const ILP_ERROR_CODES: ReadonlyArray<IlpErrorCode> = Object.keys(MESSAGES) as IlpErrorCode[]
