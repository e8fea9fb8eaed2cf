// src/common/bind-param-errors: errors reading a Bind parameter as PostgreSQL's exec_bind_message reports them — its
// CONTEXT line naming the portal and parameter, and 22P03 for bytes a binary receive function left unread.
import { type DbError, invalidBinaryRepresentation, isDbError, withContext } from './errors.js'

const UNREAD_BINARY_BYTES = 'incorrect binary data format'

/**
 * PostgreSQL's CONTEXT for an error reading a Bind parameter (bind_param_error_callback): `unnamed portal parameter
 * $1 = '...'`, or `portal "p" parameter $1`. A text value shows as log_parameter_max_length_on_error's default (0)
 * shows it: '' when empty, else '...'; a binary value (null here) is not shown.
 */
export function bindParamContext(portal: string, index: number, text: string | null): string {
  const value = text === null ? '' : text === '' ? " = ''" : " = '...'"
  return `${portal === '' ? 'unnamed portal' : `portal "${portal}"`} parameter $${index + 1}${value}`
}

/**
 * 22P03 for bytes a binary receive function left unread: PostgreSQL's words in COPY; Bind's caller names the
 * parameter (numberedUnreadBytes).
 */
export function unreadBinaryBytes(): DbError {
  return invalidBinaryRepresentation(UNREAD_BINARY_BYTES)
}

/** unreadBinaryBytes() as exec_bind_message words it: `… in bind parameter 2`; any other error as it is. */
export function numberedUnreadBytes(thrown: unknown, index: number): unknown {
  return isDbError(thrown) && thrown.message === UNREAD_BINARY_BYTES ? invalidBinaryRepresentation(`${UNREAD_BINARY_BYTES} in bind parameter ${index + 1}`) : thrown
}

/** The same error with a Bind parameter's CONTEXT (bindParamContext), unless it names a context already. */
export function inBindParam(thrown: unknown, portal: string, index: number, text: string | null): unknown {
  return isDbError(thrown) && thrown.where === undefined ? withContext(thrown, bindParamContext(portal, index, text)) : thrown
}
