// wire/pg/bind-params: a Bind message's parameter values and result format codes, checked as PostgreSQL checks them
// (22023 for a bad format code, 08P01 for a format count that fits neither one nor every parameter); an error reading
// a parameter names it in exec_bind_message's CONTEXT.
import { inBindParam } from '../../src/common/bind-param-errors.js'
import { invalidParameterValue, protocolViolation } from '../../src/common/errors.js'
import { decodeTextUtf8, type ParamValue } from '../../sql/api.js'
import type { Bind } from './frontend.js'

const FORMAT_TEXT = 0
const FORMAT_BINARY = 1
const NO_PARAMS: ReadonlyArray<ParamValue> = Object.freeze([])

export function checkFormatCode(format: number): void {
  if (format !== FORMAT_TEXT && format !== FORMAT_BINARY) throw invalidParameterValue(`unsupported format code: ${format}`)
}

/** Whether any parameter is not NULL (only those are checked against their described types). */
export function hasValues(params: ReadonlyArray<ParamValue>): boolean {
  for (const value of params) if (value !== null) return true
  return false
}

/** Text parameters become strings (valid UTF-8 without NUL, else 22021); binary ones are copied out of the socket chunk. */
export function decodeParams(message: Bind): ReadonlyArray<ParamValue> {
  const formats = message.paramFormats
  if (formats.length > 1 && formats.length !== message.paramValues.length) {
    throw protocolViolation(`bind message has ${formats.length} parameter formats but ${message.paramValues.length} parameters`)
  }
  if (message.paramValues.length === 0) return NO_PARAMS
  return message.paramValues.map((value, index) => {
    const format = formats.length === 1 ? formats[0] ?? FORMAT_TEXT : formats[index] ?? FORMAT_TEXT
    try {
      checkFormatCode(format)
      if (value === null) return null
      return format === FORMAT_BINARY ? new Uint8Array(value) : decodeTextUtf8(value)
    } catch (error) {
      throw inBindParam(error, message.portal, index, null)
    }
  })
}
