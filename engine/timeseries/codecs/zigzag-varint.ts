// engine/timeseries/codecs/zigzag-varint: int64 chunks (BigInt64Array) as delta + zigzag + LEB128 varint, computed
// on 32-bit word pairs so no BigInt is created per value. Knows nothing of segments or files.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/zigzag-varint.test.ts:
//   [u8 mode = 0][varuint count][per value: LEB128 of zigzag(value - previous), wrapping mod 2^64, previous₀ = 0]
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'
import { wordView } from './word-view.js'

/** Payload modes. Append-only: written to disk, pinned by zigzag-varint.test.ts. */
export const ZIGZAG_VARINT_MODES = { deltaVarint: 0 } as const

// A 64-bit varint takes at most 10 bytes (7 bits each).
const VARINT64_BYTES_MAX = 10

/** Appends the encoding of `values` to `out`. Deltas wrap mod 2^64, so any int64 pair (even ±2^63) round-trips. */
export function writeZigzagVarint(out: ByteWriter, values: BigInt64Array): void {
  out.writeU8(ZIGZAG_VARINT_MODES.deltaVarint)
  out.writeVarUint(values.length)
  const words = wordView(values)
  let previousLow = 0
  let previousHigh = 0
  for (let i = 0; i < values.length; i++) {
    const low = words[2 * i]!
    const high = words[2 * i + 1]! | 0
    // 64-bit subtraction on word pairs: the low words borrow from the high ones.
    const deltaLow = (low - previousLow) >>> 0
    const deltaHigh = (high - previousHigh - (low < previousLow ? 1 : 0)) | 0
    previousLow = low
    previousHigh = high
    // zigzag: (delta << 1) ^ (delta >> 63), so small negative deltas become small unsigned numbers too.
    const sign = deltaHigh >> 31
    let zigzagHigh = (((deltaHigh << 1) | (deltaLow >>> 31)) ^ sign) >>> 0
    let zigzagLow = ((deltaLow << 1) ^ sign) >>> 0
    out.ensure(VARINT64_BYTES_MAX)
    const bytes = out.bytes
    let at = out.length
    while (zigzagHigh !== 0 || zigzagLow > 0x7f) {
      bytes[at++] = (zigzagLow & 0x7f) | 0x80
      zigzagLow = ((zigzagLow >>> 7) | (zigzagHigh << 25)) >>> 0
      zigzagHigh >>>= 7
    }
    bytes[at++] = zigzagLow
    out.length = at
  }
}

/** Encodes `values` into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeZigzagVarint(values: BigInt64Array, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeZigzagVarint(scratch, values)
  return scratch.toBytes()
}

/** Reads one encoding written by writeZigzagVarint from `input`'s cursor. */
export function readZigzagVarint(input: ByteReader): BigInt64Array {
  const modeAt = input.pos
  const mode = input.readU8()
  if (mode !== ZIGZAG_VARINT_MODES.deltaVarint) input.failAt(modeAt, `unknown zigzag-varint mode ${mode}`)
  // At least one byte per value: bounds the allocation below.
  const count = input.readVarUintAtMost(Math.min(CHUNK_VALUES_MAX_COUNT, input.remaining), 'value count')
  const values = new BigInt64Array(count)
  const words = wordView(values)
  let low = 0
  let high = 0
  for (let i = 0; i < count; i++) {
    const zigzagLow = readVarint64(input, words, i)
    const zigzagHigh = words[2 * i + 1]!
    const mask = -(zigzagLow & 1) | 0
    const deltaLow = (((zigzagLow >>> 1) | (zigzagHigh << 31)) ^ mask) >>> 0
    const deltaHigh = ((zigzagHigh >>> 1) ^ mask) | 0
    const sumLow = low + deltaLow
    high = (high + deltaHigh + (sumLow > 0xffffffff ? 1 : 0)) | 0
    low = sumLow >>> 0
    words[2 * i] = low
    words[2 * i + 1] = high >>> 0
  }
  return values
}

/** Reads one LEB128 varint of up to 64 bits; returns its low word and leaves its high word in words[2i + 1]. */
function readVarint64(input: ByteReader, words: Uint32Array, i: number): number {
  let low = 0
  let high = 0
  for (let shift = 0; shift < 7 * VARINT64_BYTES_MAX; shift += 7) {
    const byte = input.readU8()
    const bits = byte & 0x7f
    if (shift < 28) low |= bits << shift
    else if (shift === 28) {
      low |= bits << 28
      high |= bits >>> 4
    } else high |= bits << (shift - 32)
    if ((byte & 0x80) === 0) {
      words[2 * i + 1] = high >>> 0
      return low >>> 0
    }
  }
  return input.fail('varint longer than 10 bytes')
}

/** Decodes bytes produced by encodeZigzagVarint; throws ChunkCorruptError on anything else (including trailing bytes). */
export function decodeZigzagVarint(bytes: Uint8Array): BigInt64Array {
  const input = new ByteReader(bytes)
  const values = readZigzagVarint(input)
  input.expectEnd()
  return values
}
