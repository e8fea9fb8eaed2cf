// The Huffman-int and decimal-Huffman-float decoders as main had them before the fast step (session 8), kept verbatim
// as the reference the new decoders must match value for value and error for error (decode-reference.test.ts).
// Not a test file itself; nothing in the engine uses it.
import type { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { DECIMALS_MAX, POWERS_OF_TEN } from '../../../../engine/timeseries/codecs/decimal-floats.js'
import { CODE_BITS_MAX, LITERAL_BITS_MAX, VALUE_BITS_MAX, canonicalCodes } from '../../../../engine/timeseries/codecs/huffman-ints.js'
import { wordView } from '../../../../engine/timeseries/codecs/word-view.js'

const SCALED_MAX = 2 ** 50

const TABLE_BITS_MAX = 11

/** The decoding side of one chunk's code. */
interface Code {
  readonly literalBits: number
  readonly lengths: Uint8Array
  /** Used symbols; when exactly one, its code is empty. */
  readonly used: number
  readonly lengthMax: number
  readonly tableBits: number
  /** Indexed by the next tableBits bits: (symbol << 4) | length, or 0 when the code is longer than tableBits. */
  readonly table: Int32Array
  readonly codes: Uint32Array
}

function readCode(input: ByteReader): Code {
  const literalBitsAt = input.pos
  const literalBits = input.readU8()
  if (literalBits > LITERAL_BITS_MAX) input.failAt(literalBitsAt, `literal bits ${literalBits} above ${LITERAL_BITS_MAX}`)
  const symbolCount = input.readVarUintAtMost(2 ** literalBits + VALUE_BITS_MAX - literalBits, 'symbol count')
  const lengths = new Uint8Array(symbolCount)
  const packed = input.readBytes(Math.ceil(symbolCount / 2))
  for (let s = 0; s < symbolCount; s++) lengths[s] = s % 2 === 0 ? packed[s >> 1]! >> 4 : packed[s >> 1]! & 15
  let used = 0
  let lengthMax = 0
  let kraft = 0
  for (let s = 0; s < symbolCount; s++) {
    const length = lengths[s]!
    if (length === 0) continue
    used++
    lengthMax = Math.max(lengthMax, length)
    kraft += 2 ** (CODE_BITS_MAX - length)
  }
  if (used > 1 && kraft !== 2 ** CODE_BITS_MAX) input.fail('code lengths do not form a complete code')
  const tableBits = Math.min(lengthMax, TABLE_BITS_MAX)
  const codes = canonicalCodes(lengths)
  const table = new Int32Array(used > 1 ? 2 ** tableBits : 0)
  for (let s = 0; s < symbolCount && used > 1; s++) {
    const length = lengths[s]!
    if (length === 0 || length > tableBits) continue
    const first = codes[s]! << (tableBits - length)
    table.fill((s << 4) | length, first, first + 2 ** (tableBits - length))
  }
  return { literalBits, lengths, used, lengthMax, tableBits, table, codes }
}

/** The symbol whose code (longer than the table) starts at the 16 bits `next`, and its length. */
function longSymbol(code: Code, next: number): number {
  for (let length = code.tableBits + 1; length <= code.lengthMax; length++) {
    const prefix = next >>> (16 - length)
    for (let s = 0; s < code.lengths.length; s++) {
      if (code.lengths[s] === length && code.codes[s] === prefix) return (s << 4) | length
    }
  }
  // Unreachable for a complete code: every 16-bit pattern starts with some code.
  return -1
}

/** Reads `count` integers written by writeHuffmanInts (count already bounded by the caller). */
export function referenceReadHuffmanInts(input: ByteReader, count: number): Float64Array {
  const code = readCode(input)
  if (code.used === 0 && count > 0) input.fail(`${count} values with no code`)
  const start = input.pos
  const end = input.end
  if (code.used > 1 && count > (end - start) * 8) input.fail(`count ${count} beyond the bits left`)
  const values = new Float64Array(count)
  const pos = code.used === 1 ? readSingle(input.bytes, start, end, code, values) : readCoded(input.bytes, start, end, code, values)
  // Bytes past the end read as zeros; a stream that needed them is short.
  if (pos > end) input.fail('bit stream ends early')
  input.pos = pos
  return values
}

/**
 * The bit buffer: `buffer` holds `held` unread bits right-aligned (higher bits are stale), refilled a byte at a time
 * to more than 24 bits; bytes past `end` read as zeros.
 */
function readCoded(bytes: Uint8Array, start: number, end: number, code: Code, values: Float64Array): number {
  const { table, tableBits, literalBits } = code
  const literals = 2 ** literalBits
  const tableMask = 2 ** tableBits - 1
  let buffer = 0
  let held = 0
  let pos = start
  for (let i = 0; i < values.length; i++) {
    while (held <= 24) {
      buffer = (buffer << 8) | (pos < end ? bytes[pos]! : 0)
      pos++
      held += 8
    }
    let entry = table[(buffer >>> (held - tableBits)) & tableMask]!
    if (entry === 0) entry = longSymbol(code, (buffer >>> (held - 16)) & 0xffff)
    held -= entry & 15
    const symbol = entry >>> 4
    if (symbol < literals) {
      values[i] = symbol
      continue
    }
    let extra = symbol - literals + literalBits
    let value = 2 ** extra
    while (extra > 0) {
      while (held <= 24) {
        buffer = (buffer << 8) | (pos < end ? bytes[pos]! : 0)
        pos++
        held += 8
      }
      const take = Math.min(extra, 16)
      extra -= take
      value += ((buffer >>> (held - take)) & (2 ** take - 1)) * 2 ** extra
      held -= take
    }
    values[i] = value
  }
  // Whole bytes still held were read ahead, not consumed.
  return pos - (held >>> 3)
}

/** One used symbol: its code is empty, so only escapes' raw bits are in the stream. */
function readSingle(bytes: Uint8Array, start: number, end: number, code: Code, values: Float64Array): number {
  const symbol = code.lengths.findIndex((length) => length !== 0)
  const literals = 2 ** code.literalBits
  if (symbol < literals) {
    values.fill(symbol)
    return start
  }
  const table = new Int32Array(1).fill((symbol << 4) | 0)
  return readCoded(bytes, start, end, { ...code, table, tableBits: 0 }, values)
}

/** main's readDecimalHuffmanFloats (mode 2 body, after gorilla's mode and count). */
export function referenceReadDecimalHuffmanFloats(input: ByteReader, count: number): Float64Array {
  const decimalsAt = input.pos
  const decimals = input.readU8()
  if (decimals > DECIMALS_MAX) input.failAt(decimalsAt, `decimals ${decimals} above ${DECIMALS_MAX}`)
  const exceptions = input.readVarUintAtMost(count, 'exception count')
  if (exceptions * 9 > input.remaining) input.fail(`count ${count} beyond the bytes left`)
  const values = new Float64Array(count)
  const words = wordView(values)
  const isException = new Uint8Array(count)
  let next = 0
  for (let e = 0; e < exceptions; e++) {
    const position = next + input.readVarUintAtMost(count - 1 - next, 'exception gap')
    words[2 * position] = input.readU32()
    words[2 * position + 1] = input.readU32()
    isException[position] = 1
    next = position + 1
  }
  const power = POWERS_OF_TEN[decimals]!
  const deltas = referenceReadHuffmanInts(input, count)
  let k = 0
  let isInRange = true
  for (let i = 0; i < count; i++) {
    const zz = deltas[i]!
    k += (zz & 1) === 0 ? zz / 2 : -(zz + 1) / 2
    isInRange &&= k <= SCALED_MAX && k >= -SCALED_MAX
    if (isException[i] === 0) values[i] = k / power
  }
  if (!isInRange) input.fail('scaled value beyond 2^50')
  return values
}
