// engine/timeseries/codecs/decimal-floats: gorilla.ts's decimal mode. Metrics such as TSBS cpu carry a few decimal
// digits, whose doubles XOR badly (~50 meaningful bits); as k / 10^d the integers k take a few bits per delta.
// ON-DISK FORMAT (after gorilla's [u8 mode = 1][varuint count]), append-only; pinned by gorilla.test.ts:
//   [u8 d][varuint exception count][per exception: varuint gap to the previous one, u32 low word, u32 high word]
//   [bit buckets (int-buckets.ts) of the deltas of k; an exception's slot repeats the previous k]
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'
import { readBucketed, writeBucketed } from './int-buckets.js'
import { wordView } from './word-view.js'

// Digits after the point worth scaling by: 10^d stays exact, and past ~10 digits XOR does as well.
const DECIMALS_MAX = 10
// |k| stays below 2^50 so every delta of two k's fits a bit bucket (|delta| < 2^52) exactly.
const SCALED_MAX = 2 ** 50
const POWERS_OF_TEN = Array.from({ length: DECIMALS_MAX + 1 }, (_, d) => 10 ** d)
// Values sampled to pick d, and the share of exceptions (1 / EXCEPTION_RATIO) above which XOR is used instead.
const SAMPLE_COUNT = 256
const EXCEPTION_RATIO = 16

/** k for `value` at scale `power` when k / power reproduces `value` bit for bit, else NaN. */
function scaledOf(value: number, power: number): number {
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

/**
 * Writes the decimal mode body, or returns false when the values are not short decimals (the caller then rewinds
 * `out` and writes XOR). A value that is not k / 10^d is stored raw as an exception, bit-exact.
 */
export function tryWriteDecimalFloats(out: ByteWriter, values: Float64Array): boolean {
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
  out.writeU8(decimals)
  out.writeVarUint(exceptions)
  writeExceptions(out, values, scaled)
  const bits = new BitWriter(out)
  let previous = 0
  for (let i = 0; i < scaled.length; i++) {
    const k = scaled[i]!
    if (Number.isNaN(k)) {
      bits.writeBit(0)
      continue
    }
    writeBucketed(bits, k - previous)
    previous = k
  }
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

/** Reads the body written by tryWriteDecimalFloats, for `count` values (already bounded by the caller). */
export function readDecimalFloats(input: ByteReader, count: number): Float64Array {
  const decimalsAt = input.pos
  const decimals = input.readU8()
  if (decimals > DECIMALS_MAX) input.failAt(decimalsAt, `decimals ${decimals} above ${DECIMALS_MAX}`)
  const exceptions = input.readVarUintAtMost(count, 'exception count')
  // Every exception takes at least 9 bytes and every value at least one bit: bounds the allocation below.
  if (exceptions * 9 + Math.ceil(count / 8) > input.remaining) input.fail(`count ${count} beyond the bytes left`)
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
  const bits = new BitReader(input)
  let k = 0
  for (let i = 0; i < count; i++) {
    k += readBucketed(bits)
    if (isException[i] === 0) values[i] = k / power
  }
  bits.finish()
  if (!Number.isSafeInteger(k)) input.fail('scaled value beyond 2^53')
  return values
}
