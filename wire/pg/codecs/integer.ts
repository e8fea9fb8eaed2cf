// wire/pg/codecs/integer: int2/int4/int8/oid (OIDs 21/23/20/26) output. int8 arrives as bigint (or a safe number).
import { assert } from '../../../src/common/assert.js'

export function encodeIntegerText(value: number | bigint): string {
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value))
}

/** int2send/int4send/int8send: big-endian two's complement of 2, 4 or 8 bytes; oid is an unsigned int4. */
export function encodeIntegerBinary(value: number | bigint, byteCount: 2 | 4 | 8, isUnsigned = false): Uint8Array {
  const out = Buffer.allocUnsafe(byteCount)
  if (byteCount === 8) {
    out.writeBigInt64BE(typeof value === 'bigint' ? value : BigInt(Math.trunc(value)))
    return out
  }
  const n = Number(value)
  assert(Number.isInteger(n), `integer column holds ${String(value)}`)
  if (byteCount === 2) out.writeInt16BE(n)
  else if (isUnsigned) out.writeUInt32BE(n >>> 0)
  else out.writeInt32BE(n)
  return out
}
