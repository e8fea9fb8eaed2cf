// sql/expr/datetime-errors: DateTimeParseError's errors for datetime-decode (DTERR_BAD_FORMAT 22007,
// DTERR_FIELD_OVERFLOW / DTERR_MD_FIELD_OVERFLOW 22008, DTERR_TZDISP_OVERFLOW 22009), each naming the input text.
import { DbError, invalidDatetimeFormat } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'

export type Failure = 'format' | 'range' | 'mdrange' | 'tzdisp'

export function failure(text: string, typeName: string): (kind: Failure) => DbError {
  return (kind) => {
    if (kind === 'format') return invalidDatetimeFormat(typeName, text)
    if (kind === 'tzdisp') {
      return new DbError({ severity: 'ERROR', code: SqlState.invalidTimeZoneDisplacementValue, message: `time zone displacement out of range: "${text}"` })
    }
    return new DbError({
      severity: 'ERROR', code: SqlState.datetimeFieldOverflow, message: `date/time field value out of range: "${text}"`,
      ...(kind === 'mdrange' ? { hint: 'Perhaps you need a different "datestyle" setting.' } : {}),
    })
  }
}
