// wire/pg/codecs/float: float4/float8 (OIDs 700/701) output. The text form is src/common/float-text.ts (casts to text
// print floats the same way); the binary form is IEEE 754 big-endian.
export { encodeFloat4Text, encodeFloat8Text, layoutFixed, splitExponential, writeShortFloat8Text } from '../../../src/common/float-text.js'

/** float4send/float8send: IEEE 754 big-endian. */
export function encodeFloatBinary(value: number, byteCount: 4 | 8): Uint8Array {
  const out = Buffer.allocUnsafe(byteCount)
  if (byteCount === 4) out.writeFloatBE(value)
  else out.writeDoubleBE(value)
  return out
}
