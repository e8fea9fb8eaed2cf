// engine/timeseries/codecs/huffman-ints: an entropy stage for non-negative integers below 2^53 (zigzagged deltas):
// canonical Huffman codes per chunk over literals 0..2^m-1 and escape classes for larger values (each class c
// covers [2^(m+c-1), 2^(m+c)) and is followed by the value's low m+c-1 bits). Order-0 statistics are what
// random-walk metrics have: TSBS's deltas cost 7.7 bits here against ~11 in Gorilla bit buckets. Knows nothing of
// what the integers mean.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/huffman-ints.test.ts:
//   [u8 m][varuint symbol count S (2^m literals + escape classes)][ceil(S / 2) bytes: a 4-bit code length per symbol,
//   high nibble first, 0 = unused][MSB-first bits: per value its code (canonical: shorter codes first, then by
//   symbol), then for an escape its raw low bits]. When exactly one symbol is used its code is empty (0 bits).
import type { ByteWriter } from './byte-writer.js'
import { HuffmanCosts } from './huffman-cost.js'
import { huffmanLengths } from './huffman-lengths.js'

/** Longest code: fits the 4-bit length field. */
export const CODE_BITS_MAX = 15
// Literal bits m considered per chunk; 2^m literals plus at most 53 - m escape classes.
export const LITERAL_BITS_MAX = 12
export const VALUE_BITS_MAX = 53

/** Bits of `value` without leading zeros (0 for 0), for any safe integer. */
export function bitLength(value: number): number {
  return value < 4294967296 ? 32 - Math.clz32(value) : 64 - Math.clz32(Math.floor(value / 4294967296))
}

/** One pass over the values: counts of each value below 2^LITERAL_BITS_MAX and of each bit length (0..53). */
export interface IntHistogram {
  readonly literalCounts: Uint32Array
  readonly bitLengthCounts: Uint32Array
}

export function intHistogram(values: Float64Array): IntHistogram {
  const literalCounts = new Uint32Array(2 ** LITERAL_BITS_MAX)
  const bitLengthCounts = new Uint32Array(VALUE_BITS_MAX + 1)
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value < literalCounts.length) {
      literalCounts[value]!++
      bitLengthCounts[32 - Math.clz32(value)]!++
    } else {
      bitLengthCounts[bitLength(value)]!++
    }
  }
  return { literalCounts, bitLengthCounts }
}

/** Symbol frequencies for literal width m: 2^m literals, then escape class c for bit length m + c. */
function frequenciesOf(histogram: IntHistogram, literalBits: number): Uint32Array {
  const literals = 2 ** literalBits
  const frequencies = new Uint32Array(literals + VALUE_BITS_MAX - literalBits)
  frequencies.set(histogram.literalCounts.subarray(0, literals))
  for (let length = literalBits + 1; length <= VALUE_BITS_MAX; length++) {
    frequencies[literals + length - literalBits - 1] = histogram.bitLengthCounts[length]!
  }
  return frequencies
}

/** Raw bits after the code of `symbol` (0 for literals). */
function extraBitsOf(symbol: number, literalBits: number): number {
  const literals = 2 ** literalBits
  return symbol < literals ? 0 : symbol - literals + literalBits
}

/** Symbols up to the last used one: the count the length table stores. */
function usedSymbolCount(lengths: Uint8Array): number {
  let count = lengths.length
  while (count > 0 && lengths[count - 1] === 0) count--
  return count
}

export interface HuffmanPlan { readonly literalBits: number; readonly lengths: Uint8Array; readonly bits: number }

function planFor(histogram: IntHistogram, literalBits: number): HuffmanPlan {
  const frequencies = frequenciesOf(histogram, literalBits)
  const lengths = huffmanLengths(frequencies, CODE_BITS_MAX)
  let used = 0
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) used++
  let bits = 8 + 8 * 2 + 4 * usedSymbolCount(lengths)
  for (let s = 0; s < lengths.length; s++) {
    const frequency = frequencies[s]!
    if (frequency !== 0) bits += frequency * ((used === 1 ? 0 : lengths[s]!) + extraBitsOf(s, literalBits))
  }
  return { literalBits, lengths, bits }
}

/** The literal width that makes the values smallest, and the bits writeHuffmanInts then spends. */
export function planHuffmanInts(histogram: IntHistogram): HuffmanPlan {
  // Wider literals save escape bits and cost table nibbles; values past 2^12 are escapes whatever m is. Widths
  // below the median value's bit length would make most values escapes: they are not tried. Each width's size comes
  // from huffman-cost.ts (one sort of the literals for all widths, no tree kept); only the winner's lengths are built.
  let maxLength = 0
  let medianLength = -1
  let seen = 0
  let total = 0
  for (let length = 0; length <= VALUE_BITS_MAX; length++) total += histogram.bitLengthCounts[length]!
  for (let length = 0; length <= VALUE_BITS_MAX; length++) {
    const count = histogram.bitLengthCounts[length]!
    if (count !== 0) maxLength = length
    seen += count
    if (medianLength < 0 && seen * 2 >= total) medianLength = length
  }
  const costs = new HuffmanCosts(histogram.literalCounts, 2 ** maxLength, histogram.bitLengthCounts, VALUE_BITS_MAX, CODE_BITS_MAX)
  const bitsFor = (literalBits: number): number => costs.bitsFor(literalBits) ?? planFor(histogram, literalBits).bits
  let bestBits = bitsFor(0)
  let bestLiteralBits = 0
  for (let m = Math.max(1, medianLength); m <= Math.min(LITERAL_BITS_MAX, maxLength); m++) {
    const bits = bitsFor(m)
    if (bits < bestBits) {
      bestBits = bits
      bestLiteralBits = m
    }
  }
  return planFor(histogram, bestLiteralBits)
}

/** Canonical codes for `lengths`: shorter codes first, equal lengths by symbol (as DEFLATE, RFC 1951 §3.2.2). */
export function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const countOfLength = new Uint32Array(CODE_BITS_MAX + 1)
  for (let s = 0; s < lengths.length; s++) countOfLength[lengths[s]!]!++
  countOfLength[0] = 0
  const nextCode = new Uint32Array(CODE_BITS_MAX + 2)
  for (let length = 1; length <= CODE_BITS_MAX; length++) {
    nextCode[length + 1] = (nextCode[length]! + countOfLength[length]!) << 1
  }
  const codes = new Uint32Array(lengths.length)
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) codes[s] = nextCode[lengths[s]!]!++
  return codes
}

/** Appends `values` (non-negative safe integers) to `out` with `plan` (from planHuffmanInts of their histogram). */
export function writeHuffmanInts(out: ByteWriter, values: Float64Array, plan: HuffmanPlan): void {
  const { literalBits, lengths } = plan
  const symbolCount = usedSymbolCount(lengths)
  out.writeU8(literalBits)
  out.writeVarUint(symbolCount)
  for (let s = 0; s < symbolCount; s += 2) out.writeU8((lengths[s]! << 4) | (lengths[s + 1] ?? 0))
  let used = 0
  for (let s = 0; s < symbolCount; s++) if (lengths[s] !== 0) used++
  const codes = canonicalCodes(lengths)
  // An empty code for the only symbol: its length counts as 0 in the stream.
  const codeLengths = used > 1 ? lengths : new Uint8Array(lengths.length)
  writeCodes(out, values, literalBits, codes, codeLengths)
}

// Raw bits written as one piece: with fewer than 8 bits pending, 7 + 23 fits the 31 bits of a shift.
const RAW_PIECE_BITS = 23
const SMALL_ESCAPE_END = 2 ** (RAW_PIECE_BITS + 1)
// Bytes one value can add: a code of at most 15 bits and at most 52 raw bits, with fewer than 8 bits pending.
const VALUE_BYTES_MAX = 9

/**
 * The bit stream of writeHuffmanInts: each value's code, then an escape's raw low bits, MSB first, padded to a byte.
 * Packs into `out.bytes` directly (room for a value is made before it), as BitWriter would, a byte at a time.
 */
function writeCodes(out: ByteWriter, values: Float64Array, literalBits: number, codes: Uint32Array, codeLengths: Uint8Array): void {
  const literals = 2 ** literalBits
  let bytes = out.bytes
  let at = out.length
  // Pending bits, right-aligned, fewer than 8 between values, so a code (≤ 15 bits) or a raw piece (≤ 16) fits in 31.
  let pending = 0
  let pendingBits = 0
  for (let i = 0; i < values.length; i++) {
    if (at + VALUE_BYTES_MAX > bytes.length) {
      out.length = at
      out.ensure(VALUE_BYTES_MAX + (values.length - i))
      bytes = out.bytes
    }
    const value = values[i]!
    let symbol = value
    let extra = 0
    let raw = 0
    if (value >= literals) {
      // An escape: its class, then its low bits (in integers below 2^(RAW_PIECE_BITS + 1), the common case).
      extra = value < SMALL_ESCAPE_END ? 31 - Math.clz32(value) : bitLength(value) - 1
      raw = value < SMALL_ESCAPE_END ? value - (1 << extra) : value - 2 ** extra
      symbol = literals + extra - literalBits
    }
    const codeLength = codeLengths[symbol]!
    pending = (pending << codeLength) | codes[symbol]!
    pendingBits += codeLength
    while (pendingBits >= 8) {
      pendingBits -= 8
      bytes[at++] = pending >>> pendingBits
    }
    pending &= (1 << pendingBits) - 1
    for (let left = extra; left > 0;) {
      // Raw bits in one piece of at most RAW_PIECE_BITS, wider ones 16 bits at a time from the top.
      const take = left > RAW_PIECE_BITS ? 16 : left
      left -= take
      let piece = raw
      if (left !== 0) {
        const scale = 2 ** left
        piece = Math.floor(raw / scale)
        raw -= piece * scale
      }
      pending = (pending << take) | piece
      pendingBits += take
      while (pendingBits >= 8) {
        pendingBits -= 8
        bytes[at++] = pending >>> pendingBits
      }
      pending &= (1 << pendingBits) - 1
    }
  }
  if (pendingBits > 0) bytes[at++] = pending << (8 - pendingBits)
  out.length = at
}
