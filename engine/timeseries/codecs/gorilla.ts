// engine/timeseries/codecs/gorilla: f64 chunks, bit-exact (NaN payloads, -0, ±Infinity), as Gorilla XOR (paper
// §4.1.2) or, when the values are short decimals, as scaled integers (decimal-floats.ts). Knows nothing of files.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/gorilla.test.ts:
//   [u8 mode][varuint count] then mode 0: [64 bits first][per value: '0' same | '10' window reuse + meaningful bits |
//   '11' + 5 bits leading zeros + 6 bits meaningful length (64 → 0) + meaningful bits]; modes 1 and 2: see
//   decimal-floats.ts
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'
import { readDecimalFloats, readDecimalHuffmanFloats, tryWriteDecimalFloats } from './decimal-floats.js'
import { wordView } from './word-view.js'

/** Payload modes. Append-only: written to disk, pinned by gorilla.test.ts. */
export const GORILLA_MODES = {
  /** Gorilla XOR with leading/trailing-zero window reuse: any doubles. */
  xor: 0,
  /** Values k / 10^d for one small d per chunk (TSBS-like metrics), with raw exceptions. */
  decimal: 1,
  /** As decimal, with the deltas Huffman-coded (huffman-ints.ts) when that is smaller than bit buckets. */
  decimalHuffman: 2,
} as const

const DECIMAL_MODES = { buckets: GORILLA_MODES.decimal, huffman: GORILLA_MODES.decimalHuffman }

/** Appends the encoding of `values` to `out`, choosing decimal mode when it applies. */
export function writeGorilla(out: ByteWriter, values: Float64Array): void {
  if (tryWriteDecimalFloats(out, values, DECIMAL_MODES)) return
  out.writeU8(GORILLA_MODES.xor)
  out.writeVarUint(values.length)
  writeXor(out, wordView(values), values.length)
}

function trailingZeros(word: number): number {
  return 31 - Math.clz32(word & -word)
}

function writeXor(out: ByteWriter, words: Uint32Array, count: number): void {
  if (count === 0) return
  const bits = new BitWriter(out)
  let previousLow = words[0]!
  let previousHigh = words[1]!
  bits.writeBits(previousHigh, 32)
  bits.writeBits(previousLow, 32)
  // The reusable window; windowLeading = -1 until the first non-zero XOR opens one.
  let windowLeading = -1
  let windowTrailing = 0
  for (let i = 1; i < count; i++) {
    const low = words[2 * i]!
    const high = words[2 * i + 1]!
    const xorLow = (low ^ previousLow) >>> 0
    const xorHigh = (high ^ previousHigh) >>> 0
    previousLow = low
    previousHigh = high
    if (xorLow === 0 && xorHigh === 0) {
      bits.writeBit(0)
      continue
    }
    // Five bits hold at most 31 leading zeros; a longer run just spends a few meaningful bits on zeros.
    const leading = Math.min(31, xorHigh !== 0 ? Math.clz32(xorHigh) : 32 + Math.clz32(xorLow))
    const trailing = xorLow !== 0 ? trailingZeros(xorLow) : 32 + trailingZeros(xorHigh)
    if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing) {
      bits.writeBits(0b10, 2)
      writeMeaningful(bits, xorHigh, xorLow, windowTrailing, 64 - windowLeading - windowTrailing)
    } else {
      const meaningful = 64 - leading - trailing
      bits.writeBits(0b11, 2)
      bits.writeBits(leading, 5)
      bits.writeBits(meaningful & 63, 6)
      writeMeaningful(bits, xorHigh, xorLow, trailing, meaningful)
      windowLeading = leading
      windowTrailing = trailing
    }
  }
  bits.flush()
}

/** Writes bits [trailing, trailing + meaningful) of the 64-bit word high:low. */
function writeMeaningful(bits: BitWriter, high: number, low: number, trailing: number, meaningful: number): void {
  let shiftedHigh: number
  let shiftedLow: number
  if (trailing === 0) {
    shiftedHigh = high
    shiftedLow = low
  } else if (trailing < 32) {
    shiftedLow = ((low >>> trailing) | (high << (32 - trailing))) >>> 0
    shiftedHigh = high >>> trailing
  } else {
    shiftedLow = high >>> (trailing - 32)
    shiftedHigh = 0
  }
  if (meaningful > 32) {
    bits.writeBits(shiftedHigh, meaningful - 32)
    bits.writeBits(shiftedLow, 32)
  } else {
    bits.writeBits(shiftedLow, meaningful)
  }
}

/** Encodes `values` into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeGorilla(values: Float64Array, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeGorilla(scratch, values)
  return scratch.toBytes()
}

/** Reads one encoding written by writeGorilla from `input`'s cursor. */
export function readGorilla(input: ByteReader): Float64Array {
  const modeAt = input.pos
  const mode = input.readU8()
  const count = input.readVarUintAtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  switch (mode) {
    case GORILLA_MODES.xor: return readXor(input, count)
    case GORILLA_MODES.decimal: return readDecimalFloats(input, count)
    case GORILLA_MODES.decimalHuffman: return readDecimalHuffmanFloats(input, count)
    default: return input.failAt(modeAt, `unknown gorilla mode ${mode}`)
  }
}

function readXor(input: ByteReader, count: number): Float64Array {
  if (count === 0) return new Float64Array(0)
  // 64 bits for the first value, at least one for each later one: bounds the allocation below.
  if (63 + count > input.remaining * 8) input.fail(`count ${count} beyond the bits left`)
  const values = new Float64Array(count)
  const words = wordView(values)
  const bits = new BitReader(input)
  let high = bits.readBits(32)
  let low = bits.readBits(32)
  words[0] = low
  words[1] = high
  let windowLeading = -1
  let windowTrailing = 0
  for (let i = 1; i < count; i++) {
    if (bits.readBit() === 1) {
      if (bits.readBit() === 1) {
        windowLeading = bits.readBits(5)
        const meaningful = bits.readBits(6) || 64
        windowTrailing = 64 - windowLeading - meaningful
        if (windowTrailing < 0) bits.fail(`leading ${windowLeading} + meaningful ${meaningful} above 64`)
      } else if (windowLeading < 0) {
        bits.fail('window reuse before any window')
      }
      const meaningful = 64 - windowLeading - windowTrailing
      let xorHigh = meaningful > 32 ? bits.readBits(meaningful - 32) : 0
      let xorLow = bits.readBits(Math.min(32, meaningful))
      if (windowTrailing >= 32) {
        xorHigh = xorLow << (windowTrailing - 32)
        xorLow = 0
      } else if (windowTrailing > 0) {
        xorHigh = (xorHigh << windowTrailing) | (xorLow >>> (32 - windowTrailing))
        xorLow = xorLow << windowTrailing
      }
      high = (high ^ xorHigh) >>> 0
      low = (low ^ xorLow) >>> 0
    }
    words[2 * i] = low
    words[2 * i + 1] = high
  }
  bits.finish()
  return values
}

/** Decodes bytes produced by encodeGorilla; throws ChunkCorruptError on anything else (including trailing bytes). */
export function decodeGorilla(bytes: Uint8Array): Float64Array {
  const input = new ByteReader(bytes)
  const values = readGorilla(input)
  input.expectEnd()
  return values
}
