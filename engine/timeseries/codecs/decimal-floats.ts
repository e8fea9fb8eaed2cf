// engine/timeseries/codecs/decimal-floats: gorilla.ts's decimal mode. Metrics such as TSBS cpu carry a few decimal
// digits, whose doubles XOR badly (~50 meaningful bits); as k / 10^d the integers k take a few bits per delta.
// An exception's slot repeats the previous k (delta 0). The deltas are stored as bit buckets or, when smaller (TSBS:
// 7.7 against 11.1 bits per value), Huffman-coded (huffman-ints.ts).
// ON-DISK FORMAT (after gorilla's [u8 mode 1 or 2][varuint count]), append-only; pinned by gorilla.test.ts:
//   [u8 d][varuint exception count][per exception: varuint gap to the previous one, u32 low word, u32 high word]
//   mode 1: [bit buckets (int-buckets.ts) of the deltas of k]; mode 2: [huffman-ints.ts of zigzag(delta of k)]
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'
import { readHuffmanIntsInto } from './huffman-decode.js'
import { intHistogram, planHuffmanInts, writeHuffmanInts, type IntHistogram } from './huffman-ints.js'
import { bucketedBits, readBucketed, unzigzag, writeBucketed, zigzag } from './int-buckets.js'
import { wordView } from './word-view.js'

// Digits after the point worth scaling by: 10^d stays exact, and past ~10 digits XOR does as well.
export const DECIMALS_MAX = 10
// |k| stays below 2^50 so every delta of two k's fits a bit bucket (|delta| < 2^52) exactly.
const SCALED_MAX = 2 ** 50
export const POWERS_OF_TEN = Array.from({ length: DECIMALS_MAX + 1 }, (_, d) => 10 ** d)
// Values sampled to pick d, and the share of exceptions (1 / EXCEPTION_RATIO) above which XOR is used instead.
const SAMPLE_COUNT = 256
const EXCEPTION_RATIO = 16

/** k for `value` at scale `power` when k / power reproduces `value` bit for bit, else NaN. */
export function scaledOf(value: number, power: number): number {
  const scaled = Math.round(value * power)
  // -0 would come back as +0 (k = 0), so it is an exception; NaN and ±Infinity fail the bound or the equality.
  if (scaled / power !== value || Math.abs(scaled) > SCALED_MAX || (value === 0 && 1 / value < 0)) return NaN
  return scaled
}

/** The smallest d (0..DECIMALS_MAX) that represents the sampled values, or -1 when too many need none. */
function pickDecimals(values: Float64Array): number {
  const sampled = Math.min(values.length, SAMPLE_COUNT)
  let decimals = 0
  let misses = 0
  for (let i = 0; i < sampled; i++) {
    let d = decimals
    while (d <= DECIMALS_MAX && Number.isNaN(scaledOf(values[i]!, POWERS_OF_TEN[d]!))) d++
    if (d > DECIMALS_MAX) misses++
    else decimals = d
  }
  return sampled === 0 || misses * EXCEPTION_RATIO > sampled ? -1 : decimals
}

/** Bits the bucket body takes for values with this histogram (a zigzag of bit length b is 2^(b-1) or more). */
function bucketBitsOf(histogram: IntHistogram): number {
  let bits = 0
  histogram.bitLengthCounts.forEach((count, length) => {
    bits += count * (length === 0 ? 1 : bucketedBits(unzigzag(2 ** (length - 1))))
  })
  return bits
}

/** Zigzagged deltas of the scaled values; an exception's slot repeats the previous k (delta 0). */
function zigzagDeltas(scaled: Float64Array): Float64Array {
  const deltas = new Float64Array(scaled.length)
  let previous = 0
  for (let i = 0; i < scaled.length; i++) {
    const k = scaled[i]!
    if (Number.isNaN(k)) continue
    deltas[i] = zigzag(k - previous)
    previous = k
  }
  return deltas
}

/**
 * Writes [mode][varuint count] and a decimal mode body (bit buckets or Huffman codes, whichever is smaller), or
 * returns false having written nothing when the values are not short decimals (the caller then writes XOR). A value
 * that is not k / 10^d is stored raw as an exception, bit-exact.
 */
export function tryWriteDecimalFloats(out: ByteWriter, values: Float64Array, modes: DecimalModes): boolean {
  const decimals = pickDecimals(values)
  if (decimals < 0) return false
  const power = POWERS_OF_TEN[decimals]!
  const scaled = new Float64Array(values.length)
  let exceptions = 0
  for (let i = 0; i < values.length; i++) {
    const k = scaledOf(values[i]!, power)
    scaled[i] = k
    if (Number.isNaN(k)) exceptions++
  }
  if (exceptions * EXCEPTION_RATIO > values.length) return false
  const deltas = zigzagDeltas(scaled)
  const histogram = intHistogram(deltas)
  const plan = planHuffmanInts(histogram)
  const isHuffman = plan.bits < bucketBitsOf(histogram)
  out.writeU8(isHuffman ? modes.huffman : modes.buckets)
  out.writeVarUint(values.length)
  out.writeU8(decimals)
  out.writeVarUint(exceptions)
  writeExceptions(out, values, scaled)
  if (isHuffman) {
    writeHuffmanInts(out, deltas, plan)
    return true
  }
  const bits = new BitWriter(out)
  for (let i = 0; i < deltas.length; i++) writeBucketed(bits, unzigzag(deltas[i]!))
  bits.flush()
  return true
}

function writeExceptions(out: ByteWriter, values: Float64Array, scaled: Float64Array): void {
  const words = wordView(values)
  let next = 0
  for (let i = 0; i < scaled.length; i++) {
    if (!Number.isNaN(scaled[i]!)) continue
    out.writeVarUint(i - next)
    out.writeU32(words[2 * i]!)
    out.writeU32(words[2 * i + 1]!)
    next = i + 1
  }
}

/** The two mode bytes a decimal body is written under (gorilla.ts owns their values). */
export interface DecimalModes { readonly buckets: number; readonly huffman: number }

/** A decimal body's exceptions: positions ascending, and each one's raw low and high words. */
interface Exceptions { readonly positions: Uint32Array; readonly words: Uint32Array }

/** Reads the decimals and exceptions of a decimal body (bounding `count` by the bytes left). */
function readDecimalHead(input: ByteReader, count: number, bitsPerValueMin: number): { decimals: number; exceptions: Exceptions } {
  const decimalsAt = input.pos
  const decimals = input.readU8()
  if (decimals > DECIMALS_MAX) input.failAt(decimalsAt, `decimals ${decimals} above ${DECIMALS_MAX}`)
  const exceptionCount = input.readVarUintAtMost(count, 'exception count')
  // Every exception takes at least 9 bytes: bounds the allocation below (with the values' own bits).
  if (exceptionCount * 9 + Math.ceil((count * bitsPerValueMin) / 8) > input.remaining) input.fail(`count ${count} beyond the bytes left`)
  const positions = new Uint32Array(exceptionCount)
  const words = new Uint32Array(2 * exceptionCount)
  let next = 0
  for (let e = 0; e < exceptionCount; e++) {
    const position = next + input.readVarUintAtMost(count - 1 - next, 'exception gap')
    positions[e] = position
    words[2 * e] = input.readU32()
    words[2 * e + 1] = input.readU32()
    next = position + 1
  }
  return { decimals, exceptions: { positions, words } }
}

/** Puts each exception's raw bits in its slot (which the decoding loop filled with the previous k's value). */
function placeExceptions(values: Float64Array, exceptions: Exceptions): void {
  const words = wordView(values)
  const { positions } = exceptions
  for (let e = 0; e < positions.length; e++) {
    words[2 * positions[e]!] = exceptions.words[2 * e]!
    words[2 * positions[e]! + 1] = exceptions.words[2 * e + 1]!
  }
}

/** Reads a bucket body (mode 1) written by tryWriteDecimalFloats, for `count` values (bounded by the caller). */
export function readDecimalFloats(input: ByteReader, count: number): Float64Array {
  const { decimals, exceptions } = readDecimalHead(input, count, 1)
  const values = new Float64Array(count)
  const power = POWERS_OF_TEN[decimals]!
  const bits = new BitReader(input)
  let k = 0
  for (let i = 0; i < count; i++) {
    k += readBucketed(bits)
    values[i] = k / power
  }
  bits.finish()
  if (!Number.isSafeInteger(k)) input.fail('scaled value beyond 2^53')
  placeExceptions(values, exceptions)
  return values
}

/** Reads a Huffman body (mode 2) written by tryWriteDecimalFloats, for `count` values (bounded by the caller). */
export function readDecimalHuffmanFloats(input: ByteReader, count: number): Float64Array {
  const { decimals, exceptions } = readDecimalHead(input, count, 0)
  // The zigzagged deltas of k, replaced in place by the values.
  const values = new Float64Array(count)
  readHuffmanIntsInto(input, values)
  if (deltasToValues(values, POWERS_OF_TEN[decimals]!) > SCALED_MAX) input.fail('scaled value beyond 2^50')
  placeExceptions(values, exceptions)
  return values
}

/**
 * Replaces zigzagged deltas of k by k / power; returns the largest |k| seen. Nothing follows the loop: V8 compiles a
 * long first loop on the stack (OSR) before code after it has run, and a comparison there without type feedback
 * deoptimized nearly every call (seen with --trace-deopt).
 */
function deltasToValues(values: Float64Array, power: number): number {
  let k = 0
  let magnitudeMax = 0
  for (let i = 0; i < values.length; i++) {
    const zz = values[i]!
    // unzigzag without a branch on the sign (half the deltas are negative: a branch mispredicts half the time):
    // odd = zz & 1 (the low bit for any safe integer); even zz → zz / 2, odd zz → -(zz + 1) / 2, each step exact.
    const odd = zz & 1
    k += (zz * (1 - 2 * odd) - odd) * 0.5
    magnitudeMax = Math.max(magnitudeMax, Math.abs(k))
    values[i] = k / power
  }
  return magnitudeMax
}
