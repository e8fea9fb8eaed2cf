// Goal: ILP error codes reach clients, so they are append-only: this pins the list and the message format.
// Method: compare ILP_ERROR_CODES with a literal list; format one error.
import assert from 'node:assert/strict'
import { ILP_ERROR_CODES, ilpErrorMessage } from '../../../../wire/ilp/ilp-error.js'

describe('wire/ilp/ilp-error', function () {
  it('pins the codes (append only: add new codes at the end)', function () {
    assert.deepEqual(ILP_ERROR_CODES, [
      'MissingMeasurement', 'BadTag', 'DuplicateTag', 'MissingFields', 'BadFieldKey', 'BadFieldValue', 'BadTypeSuffix',
      'IntegerOverflow', 'UnterminatedString', 'BadEscape', 'InvalidUtf8', 'LineTooLong', 'BadTimestamp',
      'TimestampOutOfRange', 'TypeConflict',
    ])
  })

  it('formats messages with line and column, lowercase, no final period', function () {
    assert.equal(ilpErrorMessage({ line: 3, column: 7, code: 'BadTimestamp' }), 'line 3, column 7: invalid timestamp')
  })
})
