// engine/timeseries/codecs/huffman-decode: reads what huffman-ints.ts writes (format there). Codes up to
// TABLE_BITS_MAX bits decode with one lookup, longer ones by walking the canonical code; the length table must form
// a complete code (Kraft equality, as every Huffman tree does), so every bit pattern decodes and a corrupt table is
// refused before any value is read. Knows nothing of what the integers mean.
// Speed (TSBS floats: ~1 byte a value, nearly all escapes of literal width 0): each symbol's value base, raw-bit mask
// and raw-bit count are tabled, and a table entry holds its code's and raw bits' total, so a literal and an escape
// below 2^25 take the same step in int32 arithmetic — one lookup, code and raw bits consumed together, no branch on
// which it is; codes past the table, wider escapes and the stream's last 4 bytes take readOne's general path.
// (Refilling by shifts without a loop was tried: slower, it put the refill on the serial chain from one value's bit
// position to the next, which a predicted loop branch keeps off it.)
import type { ByteReader } from './byte-reader.js'
import { CODE_BITS_MAX, LITERAL_BITS_MAX, VALUE_BITS_MAX, canonicalCodes } from './huffman-ints.js'

const TABLE_BITS_MAX = 11

/** The decoding side of one chunk's code. */
interface Code {
  readonly literalBits: number
  readonly lengths: Uint8Array
  /** Used symbols; when exactly one, its code is empty. */
  readonly used: number
  readonly lengthMax: number
  readonly tableBits: number
  /** Indexed by the next tableBits bits: tableEntry(symbol, ...), or 0 when the code is longer than tableBits. */
  readonly table: Int32Array
  readonly codes: Uint32Array
  /** Per symbol: its value (a literal) or its class's least value (an escape below 2^25); raw bits and their mask. */
  readonly baseOf: Int32Array
  readonly extraOf: Int32Array
  readonly maskOf: Int32Array
}

// Escapes with at most this many raw bits are read in the fast step (int32 arithmetic); wider ones by readOne.
const FAST_EXTRA_BITS_MAX = 24
// A raw-bit count no buffer holds: sends a symbol to readOne.
const SLOW_EXTRA_BITS = 63
const POWERS_OF_TWO = Float64Array.from({ length: VALUE_BITS_MAX + 1 }, (_, n) => 2 ** n)

// A table entry: (symbol << ENTRY_SYMBOL_SHIFT) | the bits its code and raw bits take together (ENTRY_BITS_MASK for
// an escape too wide for the fast step: no buffer holds that many); 0 for a code longer than the table.
const ENTRY_SYMBOL_SHIFT = 6
const ENTRY_BITS_MASK = 63

function tableEntry(symbol: number, codeLength: number, extra: number): number {
  return (symbol << ENTRY_SYMBOL_SHIFT) | Math.min(codeLength + extra, ENTRY_BITS_MASK)
}

/** The fast step's per-symbol tables (see Code). */
function symbolTables(literalBits: number, symbolCount: number): Pick<Code, 'baseOf' | 'extraOf' | 'maskOf'> {
  const literals = 1 << literalBits
  const baseOf = new Int32Array(symbolCount)
  const extraOf = new Int32Array(symbolCount)
  const maskOf = new Int32Array(symbolCount)
  for (let s = 0; s < symbolCount; s++) {
    const extra = s < literals ? 0 : s - literals + literalBits
    baseOf[s] = s < literals ? s : extra <= FAST_EXTRA_BITS_MAX ? 1 << extra : 0
    extraOf[s] = extra <= FAST_EXTRA_BITS_MAX ? extra : SLOW_EXTRA_BITS
    maskOf[s] = extra <= FAST_EXTRA_BITS_MAX ? (1 << extra) - 1 : 0
  }
  return { baseOf, extraOf, maskOf }
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
    kraft += 1 << (CODE_BITS_MAX - length)
  }
  if (used > 1 && kraft !== 1 << CODE_BITS_MAX) input.fail('code lengths do not form a complete code')
  const tableBits = Math.min(lengthMax, TABLE_BITS_MAX)
  const codes = canonicalCodes(lengths)
  const symbols = symbolTables(literalBits, symbolCount)
  const { extraOf } = symbols
  const table = new Int32Array(used > 1 ? 1 << tableBits : 0)
  for (let s = 0; s < symbolCount && used > 1; s++) {
    const length = lengths[s]!
    if (length === 0 || length > tableBits) continue
    const entry = tableEntry(s, length, extraOf[s]!)
    const first = codes[s]! << (tableBits - length)
    for (let at = first, last = first + (1 << (tableBits - length)); at < last; at++) table[at] = entry
  }
  return { literalBits, lengths, used, lengthMax, tableBits, table, codes, ...symbols }
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
export function readHuffmanInts(input: ByteReader, count: number): Float64Array {
  const values = new Float64Array(count)
  readHuffmanIntsInto(input, values)
  return values
}

/** Reads `values.length` integers written by writeHuffmanInts into `values` (the length bounded by the caller). */
export function readHuffmanIntsInto(input: ByteReader, values: Float64Array): void {
  const count = values.length
  const code = readCode(input)
  if (code.used === 0 && count > 0) input.fail(`${count} values with no code`)
  const start = input.pos
  const end = input.end
  if (code.used > 1 && count > (end - start) * 8) input.fail(`count ${count} beyond the bits left`)
  const pos = code.used === 1 ? readSingle(input.bytes, start, end, code, values) : readCoded(input.bytes, start, end, code, values)
  // Bytes past the end read as zeros; a stream that needed them is short.
  if (pos > end) input.fail('bit stream ends early')
  input.pos = pos
}

/** readCoded's bit buffer, handed to readOne and back. */
interface BitState { buffer: number; held: number; pos: number }

/**
 * The bit buffer: `buffer` holds `held` unread bits right-aligned (higher bits are stale). While 4 bytes remain before
 * `end` the fast step refills it a byte at a time to more than 24 bits without bounds tests; a value whose code and
 * raw bits fit what is held is consumed in one piece, any other goes to readOne.
 */
function readCoded(bytes: Uint8Array, start: number, end: number, code: Code, values: Float64Array): number {
  const { table, tableBits, baseOf, maskOf } = code
  const tableMask = (1 << tableBits) - 1
  const count = values.length
  const fastEnd = end - 4
  const state: BitState = { buffer: 0, held: 0, pos: start }
  let buffer = 0
  let held = 0
  let pos = start
  for (let i = 0; i < count; i++) {
    if (pos <= fastEnd) {
      while (held <= 24) {
        buffer = (buffer << 8) | bytes[pos++]!
        held += 8
      }
      const entry = table[(buffer >>> (held - tableBits)) & tableMask]!
      const total = entry & ENTRY_BITS_MASK
      if (entry !== 0 && total <= held) {
        const symbol = entry >>> ENTRY_SYMBOL_SHIFT
        held -= total
        values[i] = baseOf[symbol]! + ((buffer >>> held) & maskOf[symbol]!)
        continue
      }
    }
    state.buffer = buffer
    state.held = held
    state.pos = pos
    values[i] = readOne(bytes, end, code, state)
    buffer = state.buffer
    held = state.held
    pos = state.pos
  }
  // Whole bytes still held were read ahead, not consumed.
  return pos - (held >>> 3)
}

/**
 * One value by the general path: refills a byte at a time to more than 24 bits (bytes past `end` read as zeros),
 * walks the canonical code past the table, and assembles wide escapes as doubles from 16-bit pieces (exact: < 2^53).
 */
function readOne(bytes: Uint8Array, end: number, code: Code, state: BitState): number {
  let { buffer, held, pos } = state
  while (held <= 24) {
    buffer = (buffer << 8) | (pos < end ? bytes[pos]! : 0)
    pos++
    held += 8
  }
  let entry = code.table[(buffer >>> (held - code.tableBits)) & ((1 << code.tableBits) - 1)]!
  // A long code's symbol and length from the canonical code; a table entry's code length from the length table.
  let symbol = entry >>> ENTRY_SYMBOL_SHIFT
  if (entry === 0) {
    entry = longSymbol(code, (buffer >>> (held - 16)) & 0xffff)
    symbol = entry >>> 4
    held -= entry & 15
  } else if (code.used > 1) {
    held -= code.lengths[symbol]!
  }
  const literals = 1 << code.literalBits
  let value = symbol
  if (symbol >= literals) {
    let extra = symbol - literals + code.literalBits
    value = POWERS_OF_TWO[extra]!
    while (extra > 0) {
      while (held <= 24) {
        buffer = (buffer << 8) | (pos < end ? bytes[pos]! : 0)
        pos++
        held += 8
      }
      const take = extra < 16 ? extra : 16
      extra -= take
      held -= take
      value += ((buffer >>> held) & ((1 << take) - 1)) * POWERS_OF_TWO[extra]!
    }
  }
  state.buffer = buffer
  state.held = held
  state.pos = pos
  return value
}

/** One used symbol: its code is empty, so only escapes' raw bits are in the stream. */
function readSingle(bytes: Uint8Array, start: number, end: number, code: Code, values: Float64Array): number {
  const symbol = code.lengths.findIndex((length) => length !== 0)
  const literals = 1 << code.literalBits
  if (symbol < literals) {
    values.fill(symbol)
    return start
  }
  const table = new Int32Array(1).fill(tableEntry(symbol, 0, code.extraOf[symbol]!))
  return readCoded(bytes, start, end, { ...code, table, tableBits: 0 }, values)
}
