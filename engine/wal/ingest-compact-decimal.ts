// engine/wal/ingest-compact-decimal: the f64 encodings of the compact WAL payload (format in ingest-compact.ts):
// DECIMAL, each row's decimal-scaled delta to its series' previous value as a zigzag varint, and DECIMAL_PACKED, the
// same zigzags as fixed-width bits with an escape for the rare wide ones (issue 10: TSBS deltas take 8 bits there
// against ~11 as varints, and a series' first value in a batch, or a jump where two senders' time ranges meet in one
// batch, is an escape instead of widening every row). The encoder measures both and writes the smaller.
import { putVarUint } from '../timeseries/codecs/byte-writer.js'
import { DECIMALS_MAX, POWERS_OF_TEN, scaledOf } from '../timeseries/codecs/decimal-floats.js'
import { zigzag } from '../timeseries/codecs/int-buckets.js'

/** DECIMAL_PACKED's widest field in bits: a field and the ≤ 7 bits pending before it fit a 31-bit integer. */
export const PACKED_WIDTH_MAX = 24
/** Bit lengths tallied by zigzagDecimal; a zigzag of 2^32 or more counts as 33 (an escape at every width). */
const BIT_LENGTHS_COUNT = 34

// Each series' previous k, reused (zeroed per column; decoding uses it too): a fresh small Float64Array per column is
// an external ArrayBuffer, whose allocations cost more than the column's deltas and drive the event loop's GCs.
let previousScratch = new Float64Array(256)
export function previousOf(length: number): Float64Array {
  if (previousScratch.length < length) previousScratch = new Float64Array(length * 2)
  return previousScratch.fill(0, 0, length)
}

// A column's zigzags, and how many have each bit length, reused like previousScratch. The tallies are int32 counters:
// a Float64Array's increment is a float add on the loop's store-to-load chain (measured: ~2.5 ns of ~11 per value).
let zigzagScratch = new Float64Array(1024)
const bitLengthCounts = new Int32Array(BIT_LENGTHS_COUNT)
const allOnesCounts = new Int32Array(BIT_LENGTHS_COUNT)
const WIDE_BYTES = new Float64Array(1)
/** |k| bound of scaledOf (decimal-floats.ts), which zigzagDecimal inlines. */
const SCALED_MAX = 2 ** 50

/** The bytes putVarUint takes for `value`. */
export function varUintBytes(value: number): number {
  let bytes = 1
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}

/** A zigzag of 2^32 or more (a delta past ±2^31), tallied apart from the int32 path. */
function tallyWide(zigzagged: number): void {
  bitLengthCounts[BIT_LENGTHS_COUNT - 1]++
  WIDE_BYTES[0] = WIDE_BYTES[0]! + varUintBytes(zigzagged)
}

/**
 * Zigzags of the decimal-scaled deltas per series into `zigzags` (`previous` holds each series' last k, zeros at
 * first), tallied by bit length in bitLengthCounts (and allOnesCounts: those of all ones, 2^L - 1), with the varint
 * bytes of those of 2^32 or more in WIDE_BYTES; answers the bytes DECIMAL's varints take, or -1 - i when value i is
 * not k / `power` for an integer k. Hot loops take and answer plain numbers and typed arrays (see putDeltaOfDelta).
 */
function zigzagDecimal(values: Float64Array, series: Int32Array, previous: Float64Array, power: number, zigzags: Float64Array): number {
  bitLengthCounts.fill(0)
  allOnesCounts.fill(0)
  WIDE_BYTES[0] = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    // scaledOf(value, power) inlined, with floor(x + 0.5) for Math.round (~1 ns a value less): whichever k passes,
    // |value * power - k| ≤ |k| * 2^-52 ≤ 1/4 (|k| ≤ 2^50), where both round to k; so the same k pass, the same fail.
    const k = Math.floor(value * power + 0.5)
    if (k / power !== value || Math.abs(k) > SCALED_MAX || (value === 0 && 1 / value < 0)) return -1 - i
    const s = series[i]! + 1
    const delta = k - previous[s]!
    previous[s] = k
    // A delta that fits an int32 (nearly all) is zigzagged and tallied in int32 arithmetic, without a branch on its
    // sign, which a random walk's deltas mispredict half the time; the same value as zigzag(delta).
    const small = delta | 0
    if (small === delta) {
      const zigzagged = (small << 1) ^ (small >> 31)
      zigzags[i] = zigzagged >>> 0
      const length = 32 - Math.clz32(zigzagged)
      bitLengthCounts[length]++
      if ((zigzagged & (zigzagged + 1)) === 0) allOnesCounts[length]++ // bit patterns: exact up to 2^32 - 1
    } else {
      const zigzagged = zigzag(delta)
      zigzags[i] = zigzagged
      tallyWide(zigzagged)
    }
  }
  // LEB128 takes 7 bits a byte: the varints' bytes from the tallies rather than per row.
  let varintBytes = WIDE_BYTES[0]!
  for (let length = 0; length < BIT_LENGTHS_COUNT - 1; length++) varintBytes += bitLengthCounts[length]! * (length <= 7 ? 1 : Math.ceil(length / 7))
  return varintBytes
}

/** The escapes' varint bytes at `width` (every zigzag of 2^width - 1 or more), from zigzagDecimal's tallies. */
function escapeBytesAt(width: number): number {
  let bytes = WIDE_BYTES[0]! + allOnesCounts[width]! * (((width + 6) / 7) | 0)
  for (let length = width + 1; length < BIT_LENGTHS_COUNT - 1; length++) bytes += bitLengthCounts[length]! * (((length + 6) / 7) | 0)
  return bytes
}

/** The width (1..PACKED_WIDTH_MAX) whose packed bits and escapes' varints take the fewest bytes. */
function bestWidth(rowCount: number): number {
  let best = 1
  let bestBytes = Number.POSITIVE_INFINITY
  for (let width = 1; width <= PACKED_WIDTH_MAX; width++) {
    const bytes = Math.ceil(rowCount * width / 8) + escapeBytesAt(width)
    if (bytes < bestBytes) {
      best = width
      bestBytes = bytes
    }
  }
  return best
}

function putVarUints(bytes: Uint8Array, at: number, zigzags: Float64Array, count: number): number {
  let next = at
  for (let i = 0; i < count; i++) {
    const zigzagged = zigzags[i]!
    if (zigzagged < 0x80) bytes[next++] = zigzagged // one byte inline; longer in putVarUint
    else next = putVarUint(bytes, next, zigzagged)
  }
  return next
}

/** DECIMAL_PACKED after d: width, the escapes' byte length and varints, then the fields; answers the offset after. */
function putPacked(bytes: Uint8Array, at: number, zigzags: Float64Array, count: number, width: number, escapeBytes: number): number {
  bytes[at] = width
  let escapeAt = putVarUint(bytes, at + 1, escapeBytes)
  let next = escapeAt + escapeBytes
  const escape = 2 ** width - 1
  let pending = 0
  let bits = 0
  for (let i = 0; i < count; i++) {
    let field = zigzags[i]!
    if (field >= escape) {
      escapeAt = putVarUint(bytes, escapeAt, field)
      field = escape
    }
    bits |= field << pending
    pending += width
    while (pending >= 8) {
      bytes[next++] = bits & 0xff
      bits >>>= 8
      pending -= 8
    }
  }
  if (pending > 0) bytes[next++] = bits
  return next
}
// V8 compiles putPacked's loop on-stack in its first long call, and the code after the loop has no type feedback then:
// the cached on-stack code deoptimized there on every later call in some runs (main's code too; 3 of 8 runs of
// bench/micro/ilp-worker-job: ~800 deopts, the WAL payload's encoding ~1.7× slower). Short calls at load, with an
// escape and a partial last byte, give every path its feedback first (V8 allocates a function's feedback only after
// a few calls): 0 of 10 runs since. Storing the partial byte every row instead, so that no code followed the loop,
// cost ~2.5 ns a value.
for (let call = 0; call < 32; call++) putPacked(new Uint8Array(16), 0, Float64Array.of(100, 0), 2, 3, 1)

/**
 * Writes an f64 column as DECIMAL or DECIMAL_PACKED at `at` of `bytes` (after its descriptor) with the fewest
 * decimals d (0..DECIMALS_MAX) that represent every value, whichever is smaller; answers the offset after it and the
 * encoding written, or null when no d represents every value (the caller writes RAW).
 */
export function putDecimalColumn(bytes: Uint8Array, at: number, values: Float64Array, series: Int32Array, seriesCount: number,
  encodings: { readonly decimal: number; readonly decimalPacked: number }): { end: number; encoding: number } | null {
  const rows = values.length
  if (zigzagScratch.length < rows) zigzagScratch = new Float64Array(rows * 2)
  let decimals = 0
  while (decimals <= DECIMALS_MAX) {
    const varintBytes = zigzagDecimal(values, series, previousOf(seriesCount + 1), POWERS_OF_TEN[decimals]!, zigzagScratch)
    if (varintBytes >= 0) {
      bytes[at] = decimals
      const width = bestWidth(rows)
      const escapeBytes = escapeBytesAt(width)
      const packedBytes = 1 + varUintBytes(escapeBytes) + escapeBytes + Math.ceil(rows * width / 8)
      if (packedBytes < varintBytes) {
        return { end: putPacked(bytes, at + 1, zigzagScratch, rows, width, escapeBytes), encoding: encodings.decimalPacked }
      }
      return { end: putVarUints(bytes, at + 1, zigzagScratch, rows), encoding: encodings.decimal }
    }
    const value = values[-1 - varintBytes]!
    decimals++
    while (decimals <= DECIMALS_MAX && Number.isNaN(scaledOf(value, POWERS_OF_TEN[decimals]!))) decimals++
  }
  return null
}
