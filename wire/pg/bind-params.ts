// wire/pg/bind-params: a Bind's parameter values as the session hands them to sql — text as strings, binary as bytes
// — and its format codes, checked as exec_bind_message checks them (an error names the parameter in its CONTEXT).
import { inBindParam } from '../../src/common/bind-param-errors.js'
import { invalidParameterValue, protocolViolation } from '../../src/common/errors.js'
import { decodeTextUtf8, type ParamValue } from '../../sql/api.js'
import type { Bind } from './frontend.js'

export const FORMAT_TEXT = 0
export const FORMAT_BINARY = 1

export function checkFormatCode(format: number): void {
  if (format !== FORMAT_TEXT && format !== FORMAT_BINARY) throw invalidParameterValue(`unsupported format code: ${format}`)
}

/**
 * Text parameters become strings (valid UTF-8 without NUL, else 22021 as pg_client_to_server); binary ones are copied
 * out of the socket chunk. An error names the parameter in PostgreSQL's CONTEXT.
 */
export function decodeParams(message: Bind): ReadonlyArray<ParamValue> {
  const formats = message.paramFormats
  if (formats.length > 1 && formats.length !== message.paramValues.length) {
    throw protocolViolation(`bind message has ${formats.length} parameter formats but ${message.paramValues.length} parameters`)
  }
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
