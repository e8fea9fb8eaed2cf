// sql/expr/array-binary: binary-format array parameters (PostgreSQL's array_recv) for the one-dimensional arrays nodedb
// has (of its scalar types and the catalog's), decoded into the text form sql carries arrays in. Layout: int32 ndim,
// int32 has-nulls flag, uint32 element OID, then per dimension int32 length and int32 lower bound, then each element
// as int32 length (-1 = NULL) and its binary form. array_recv's checks and SQLSTATEs are kept.
import {
  datatypeMismatch, featureNotSupportedMessage, invalidBinaryRepresentation, programLimitExceeded, protocolViolation,
} from '../../src/common/errors.js'
import { unreadBinaryBytes } from '../../src/common/bind-param-errors.js'
import type { SqlValue } from '../api.js'
import { ELEMENT_OF, PG_TYPES, sqlType, type PgTypeName, type SqlType } from '../bind/types.js'
import { formatArrayText } from '../functions/array-text.js'

/** PostgreSQL's MAXDIM. */
const ARRAY_DIMENSIONS_MAX_COUNT = 6
/** PostgreSQL's MaxArraySize (ArrayGetNItems): a negative dimension is reported against it. */
const ARRAY_SIZE_MAX_COUNT = 134217727

/** Elements whose binary form is their fixed typlen (name's is its text, whatever its typlen). */
const FIXED_SIZE_ELEMENTS: ReadonlySet<string> = new Set(['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'oid', 'char', 'date',
  'timestamp', 'timestamptz', 'interval'])

type DecodeElement = (bytes: Uint8Array, type: SqlType) => SqlValue
/** An element value → its array_out text (cast-value.ts's arrayElementText: UTC for timestamptz, so it reads back exactly). */
type FormatElement = (value: SqlValue, element: PgTypeName) => string | null

/** A binary array of `type` → its text form ('{a,NULL,"b c"}'); `decodeElement` reads one element's binary form. */
export function decodeArrayBinary(bytes: Uint8Array, type: SqlType, decodeElement: DecodeElement, formatElement: FormatElement): string {
  const elementName = ELEMENT_OF[type.name]
  if (elementName === undefined) throw featureNotSupportedMessage(`binary format for ${type.name} parameters`)
  const element = PG_TYPES[elementName]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  const int32 = (): number => {
    // pq_getmsgint running out of message: 08P01, as array_recv's reads are.
    if (offset + 4 > bytes.byteLength) throw protocolViolation('insufficient data left in message')
    const value = view.getInt32(offset)
    offset += 4
    return value
  }
  const ndim = int32()
  const flags = int32()
  const elementOid = int32() >>> 0
  if (ndim < 0) throw invalidBinaryRepresentation(`invalid number of dimensions: ${ndim}`)
  if (ndim > ARRAY_DIMENSIONS_MAX_COUNT) {
    throw programLimitExceeded(`number of array dimensions (${ndim}) exceeds the maximum allowed (${ARRAY_DIMENSIONS_MAX_COUNT})`)
  }
  if (flags !== 0 && flags !== 1) throw invalidBinaryRepresentation('invalid array flags')
  if (elementOid !== element.oid) {
    throw datatypeMismatch(`binary data has array element type ${elementOid} instead of expected ${element.oid} (${elementName})`)
  }
  if (ndim === 0) return '{}'
  if (ndim > 1) throw featureNotSupportedMessage('multidimensional arrays are not supported')
  const length = int32()
  const lowerBound = int32()
  if (length < 0) throw programLimitExceeded(`array size exceeds the maximum allowed (${ARRAY_SIZE_MAX_COUNT})`)
  if (lowerBound !== 1) throw featureNotSupportedMessage('arrays with a lower bound other than 1 are not supported')
  const elements: Array<string | null> = []
  for (let index = 0; index < length; index++) {
    const itemLength = int32()
    if (itemLength < -1 || itemLength > bytes.byteLength - offset) throw invalidBinaryRepresentation('insufficient data left in message')
    if (itemLength === -1) {
      elements.push(null)
      continue
    }
    const item = bytes.subarray(offset, offset + itemLength)
    offset += itemLength
    if (FIXED_SIZE_ELEMENTS.has(elementName) && itemLength !== element.typlen) throw invalidBinaryRepresentation(`improper binary format in array element ${index + 1}`)
    elements.push(formatElement(decodeElement(item, sqlType(elementName)), elementName))
  }
  if (offset !== bytes.byteLength) throw unreadBinaryBytes()
  return formatArrayText(elements)
}
