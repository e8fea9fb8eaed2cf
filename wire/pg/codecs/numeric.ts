// wire/pg/codecs/numeric: numeric (OID 1700) output. sql hands decimal text (kept as given, scale included) or a
// number, which is written in plain notation because numeric never prints an exponent. Binary is numeric_send's
// base-10000 form of that same text (sql/expr/numeric-binary.ts, which also decodes binary parameters).
import { encodeNumericBinaryText } from '../../../sql/api.js'
import { layoutFixed, splitExponential } from './float.js'

export function encodeNumericBinary(value: string | number): Uint8Array {
  return encodeNumericBinaryText(encodeNumericText(value))
}

export function encodeNumericText(value: string | number): string {
  if (typeof value === 'string') return value
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const text = String(value)
  if (!text.includes('e')) return text
  const { digits, exponent } = splitExponential(Math.abs(value).toExponential())
  return (value < 0 ? '-' : '') + layoutFixed(digits, exponent)
}
