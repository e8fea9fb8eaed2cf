// wire/pg/codecs/value-codec: one SqlValue → its text or binary output bytes, chosen by the field's type OID
// (sql/api.ts documents which JavaScript type each OID carries). Every type nodedb returns has a binary form here
// except the reg* types (printed as names by sql), which are 0A000 in binary.
import { assert } from '../../../src/common/assert.js'
import { featureNotSupported } from '../../../src/common/errors.js'
import { DEFAULT_TEXT_SETTINGS, type TextSettings } from '../../../src/common/datarow-encoder.js'
import { encodeUuidBinary } from '../../../src/common/uuid.js'
import { arrayElementValues, type IntervalValue, type SqlValue } from '../../../sql/api.js'
import { encodeArrayBinary } from './array.js'
import { encodeBoolBinary, encodeBoolText } from './bool.js'
import { encodeFloat4Text, encodeFloat8Text, encodeFloatBinary } from './float.js'
import { encodeIntegerBinary, encodeIntegerText } from './integer.js'
import { encodeIntervalBinary, encodeIntervalText } from './interval.js'
import { encodeNumericBinary, encodeNumericText } from './numeric.js'
import { encodeTextBinary, encodeTextText } from './text.js'
import { encodeDateBinary, encodeDateText } from './date.js'
import { encodeTimeBinary, encodeTimeText, encodeTimetzBinary, encodeTimetzText } from './time.js'
import { encodeTimestampBinary, encodeTimestampText } from './timestamp.js'

/** PostgreSQL built-in type OIDs that have their own codec. */
export const enum TypeOid {
  Bool = 16,
  Int8 = 20,
  Int2 = 21,
  Int4 = 23,
  Oid = 26,
  Float4 = 700,
  Float8 = 701,
  Date = 1082,
  Time = 1083,
  Timetz = 1266,
  Timestamp = 1114,
  Timestamptz = 1184,
  Interval = 1186,
  Numeric = 1700,
  Char = 18,
  Name = 19,
  Text = 25,
  Bpchar = 1042,
  Varchar = 1043,
  Void = 2278,
  Uuid = 2950,
  Bytea = 17,
  Json = 114,
  Jsonb = 3802,
}

export const enum FormatCode {
  Text = 0,
  Binary = 1,
}

function asNumber(value: Exclude<SqlValue, null>, typeOid: number): number {
  assert(typeof value === 'number', `type ${typeOid} value is ${typeof value}`)
  return value
}

function asInterval(value: Exclude<SqlValue, null>): IntervalValue {
  assert(typeof value === 'object', `type 1186 value is ${typeof value}`)
  return value
}

/** Every SqlValue but an interval: an IntervalValue reaching a non-interval OID is a bug in sql. */
function asScalar(value: Exclude<SqlValue, null>, typeOid: number): Exclude<SqlValue, null | IntervalValue> {
  assert(typeof value !== 'object', `type ${typeOid} value is an interval`)
  return value
}

function asTimetz(value: Exclude<SqlValue, null>): string {
  assert(typeof value === 'string', `type 1266 value is ${typeof value}`)
  return value
}

function asInteger(value: Exclude<SqlValue, null>, typeOid: number): number | bigint {
  assert(typeof value === 'number' || typeof value === 'bigint', `type ${typeOid} value is ${typeof value}`)
  return value
}

/**
 * Text output (format 0). A value of the wrong JavaScript type for its OID is a bug in sql: an assertion fails.
 * `settings` are the session's TimeZone, DateStyle and IntervalStyle the date/time types are printed in.
 */
export function encodeValueText(value: Exclude<SqlValue, null>, typeOid: number, settings: TextSettings = DEFAULT_TEXT_SETTINGS): string {
  switch (typeOid) {
    case TypeOid.Bool:
      assert(typeof value === 'boolean', `type 16 value is ${typeof value}`)
      return encodeBoolText(value)
    case TypeOid.Int2: case TypeOid.Int4: case TypeOid.Int8: case TypeOid.Oid:
      return encodeIntegerText(asInteger(value, typeOid))
    case TypeOid.Float4: return encodeFloat4Text(asNumber(value, typeOid))
    case TypeOid.Float8: return encodeFloat8Text(asNumber(value, typeOid))
    case TypeOid.Numeric:
      assert(typeof value === 'string' || typeof value === 'number', `type 1700 value is ${typeof value}`)
      return encodeNumericText(value)
    case TypeOid.Timestamp: return encodeTimestampText(asNumber(value, typeOid), false, settings.timeZone, settings.dateStyle)
    case TypeOid.Timestamptz: return encodeTimestampText(asNumber(value, typeOid), true, settings.timeZone, settings.dateStyle)
    case TypeOid.Date: return encodeDateText(asNumber(value, typeOid), settings.dateStyle)
    case TypeOid.Time: return encodeTimeText(asNumber(value, typeOid))
    case TypeOid.Timetz: return encodeTimetzText(asTimetz(value))
    case TypeOid.Interval: return encodeIntervalText(asInterval(value), settings.intervalStyle)
    default: return encodeTextText(asScalar(value, typeOid))
  }
}

/** Binary output (format 1); types without a binary codec here are 0A000 (the client asked for something we lack). */
export function encodeValueBinary(value: Exclude<SqlValue, null>, typeOid: number): Uint8Array {
  switch (typeOid) {
    case TypeOid.Bool:
      assert(typeof value === 'boolean', `type 16 value is ${typeof value}`)
      return encodeBoolBinary(value)
    case TypeOid.Int2: return encodeIntegerBinary(asInteger(value, typeOid), 2)
    case TypeOid.Int4: return encodeIntegerBinary(asInteger(value, typeOid), 4)
    case TypeOid.Oid: return encodeIntegerBinary(asInteger(value, typeOid), 4, true)
    case TypeOid.Int8: return encodeIntegerBinary(asInteger(value, typeOid), 8)
    case TypeOid.Float4: return encodeFloatBinary(asNumber(value, typeOid), 4)
    case TypeOid.Float8: return encodeFloatBinary(asNumber(value, typeOid), 8)
    case TypeOid.Timestamp: case TypeOid.Timestamptz: return encodeTimestampBinary(asNumber(value, typeOid))
    case TypeOid.Date: return encodeDateBinary(asNumber(value, typeOid))
    case TypeOid.Time: return encodeTimeBinary(asNumber(value, typeOid))
    case TypeOid.Timetz: return encodeTimetzBinary(asTimetz(value))
    case TypeOid.Interval: return encodeIntervalBinary(asInterval(value))
    case TypeOid.Numeric:
      assert(typeof value === 'string' || typeof value === 'number', `type 1700 value is ${typeof value}`)
      return encodeNumericBinary(value)
    case TypeOid.Name: case TypeOid.Text: case TypeOid.Bpchar: case TypeOid.Varchar: return encodeTextBinary(asScalar(value, typeOid))
    // charsend: the one byte itself ("char" values are at most one ASCII character here).
    case TypeOid.Char: return Buffer.from(String(asScalar(value, typeOid)), 'latin1').subarray(0, 1)
    case TypeOid.Void: return new Uint8Array(0)
    // byteasend: the bytes themselves (the value is byteaout's hex text, `\x` then two digits a byte).
    case TypeOid.Bytea:
      assert(typeof value === 'string', `type 17 value is ${typeof value}`)
      return Buffer.from(value.slice(2), 'hex')
    case TypeOid.Json: return encodeTextBinary(asScalar(value, typeOid))
    // jsonb_send: version 1, then the text.
    case TypeOid.Jsonb: return Buffer.concat([Buffer.from([1]), Buffer.from(String(asScalar(value, typeOid)), 'utf8')])
    case TypeOid.Uuid:
      assert(typeof value === 'string', `type 2950 value is ${typeof value}`)
      return encodeUuidBinary(value)
    default: {
      const array = typeof value === 'string' ? arrayElementValues(value, typeOid) : undefined
      if (array !== undefined) return encodeArrayBinary(array.values, array.elementOid, (element) => encodeValueBinary(element, array.elementOid))
      throw featureNotSupported(`binary output format for type ${typeOid}`)
    }
  }
}

export function encodeValue(value: SqlValue, typeOid: number, format: number, settings: TextSettings = DEFAULT_TEXT_SETTINGS): string | Uint8Array | null {
  if (value === null) return null
  return format === FormatCode.Binary ? encodeValueBinary(value, typeOid) : encodeValueText(value, typeOid, settings)
}
