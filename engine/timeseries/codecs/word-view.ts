// engine/timeseries/codecs/word-view: 32-bit word views of 64-bit typed arrays, so codecs read float bits and int64s
// without a Number or BigInt per value (bit-exact: NaN payloads are never loaded as doubles). Knows no format.
import { assert } from '../../../src/common/assert.js'

// Word 2i is the low half of element i only on a little-endian host; every platform Node 20 ships on is one.
assert(new Uint8Array(new Uint32Array([1]).buffer)[0] === 1, 'codecs need a little-endian host')

/** Words of `array` (element i = words 2i (low, unsigned) and 2i+1 (high)); shares its memory. */
export function wordView(array: Float64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(array.buffer, array.byteOffset, array.length * 2)
}

