// engine/timeseries/memtable-pack: the in-memory encoding of a memtable block's columns (memtable-block.ts), made to
// cost a few nanoseconds per value both ways: floats as k / 10^d with k's deltas in fixed-width integers (1, 2 or 4
// bytes, or none when every delta is the same) plus exceptions, symbol ids in the narrowest integers, everything else
// as it is. Bit-exact (NaN payloads, -0 and ±Infinity make a column raw). Never written to disk or sent anywhere: a
// change needs no compatibility. Knows nothing of files, WAL or SQL.
import { assert } from '../../src/common/assert.js'
import { DECIMALS_MAX, POWERS_OF_TEN } from './codecs/decimal-floats.js'

/** Column modes, the first byte of a packed column. */
export const PACK_MODES = { rawF64: 0, decimal: 1, rawI64: 2, rawBytes: 3, idsZero: 4, ids8: 5, ids16: 6, ids32: 7, text: 8 } as const

/** Bytes of a float column's header: [mode][decimals][width][hasNulls][u32 exceptions][f64 first k][f64 step]. */
export const NUMBERS_HEADER_BYTES = 24
/** Bytes of every other column's header: [mode][0][0][hasNulls][u32 0]. */
export const PLAIN_HEADER_BYTES = 8
// An exception costs its row (u32) and its delta (f64).
const EXCEPTION_BYTES = 12

/** A growable byte buffer whose every part starts 8-aligned, so a reader can view it as any typed array. */
export class PackWriter {
  bytes = new Uint8Array(64 * 1024)
  private view = new DataView(this.bytes.buffer)
  length = 0

  reset(): void {
    this.length = 0
  }

  /** Room for `count` more bytes after aligning; returns the (aligned) offset they start at. */
  reserve(count: number): number {
    const at = (this.length + 7) & ~7
    if (at + count > this.bytes.length) {
      const next = new Uint8Array(Math.max(at + count, 2 * this.bytes.length))
      next.set(this.bytes.subarray(0, this.length))
      this.bytes = next
      this.view = new DataView(next.buffer)
    }
    this.bytes.fill(0, this.length, at)
    this.length = at + count
    return at
  }

  header(mode: number, hasNulls: boolean): number {
    const at = this.reserve(PLAIN_HEADER_BYTES)
    this.view.setUint32(at, 0)
    this.view.setUint32(at + 4, 0)
    this.bytes[at] = mode
    this.bytes[at + 3] = hasNulls ? 1 : 0
    return at
  }

  numbersHeader(plan: NumbersPlan, hasNulls: boolean): void {
    const at = this.reserve(NUMBERS_HEADER_BYTES)
    this.bytes[at] = plan.mode
    this.bytes[at + 1] = plan.decimals
    this.bytes[at + 2] = plan.width
    this.bytes[at + 3] = hasNulls ? 1 : 0
    this.view.setUint32(at + 4, plan.exceptionCount, true)
    this.view.setFloat64(at + 8, plan.first, true)
    this.view.setFloat64(at + 16, plan.step, true)
  }

  /** Copies `count` bytes of `source` (any typed array's bytes), 8-aligned. */
  array(source: ArrayBufferView, count = source.byteLength): void {
    const at = this.reserve(count)
    this.bytes.set(new Uint8Array(source.buffer, source.byteOffset, count), at)
  }

  /** The bytes written, in an ArrayBuffer of their own (so its views are aligned). */
  take(): Uint8Array {
    return this.bytes.slice(0, (this.length + 7) & ~7)
  }
}

export interface NumbersPlan {
  readonly mode: number
  readonly decimals: number
  /** Bytes per delta (0: every delta not an exception equals `step`). */
  readonly width: 0 | 1 | 2 | 4
  readonly first: number
  readonly step: number
  readonly exceptionCount: number
}

const RAW_PLAN: NumbersPlan = { mode: PACK_MODES.rawF64, decimals: 0, width: 0, first: 0, step: 0, exceptionCount: 0 }

// |k| stays within 2^52 so every delta of two k's (≤ 2^53) and every running sum is an exact double; timestamps in
// microseconds (~1.7e15) fit, as segments' decimal codec (2^50) would not have them.
const SCALED_MAX = 2 ** 52

/** Per-thread scratch of a seal (scaleAll): each row's k and delta, the deltas' width classes counted. */
let scaled = new Float64Array(0)
let deltas = new Float64Array(0)
const histogram = new Int32Array(5)
let sameAsFirst = 0

// Adding and subtracting 1.5 × 2^52 rounds a double below 2^51 to an integer without a call (Math.round was most of
// a seal's time); any rounding will do, as each k is checked to give its value back.
const ROUNDER = 1.5 * 2 ** 52

/** True when `k` (an integer near value × power) reproduces `value` as k / power and stays in bounds. */
function isScaled(value: number, power: number, k: number): boolean {
  // -0 would come back as +0 (k = 0); NaN and ±Infinity fail the equality or the bound.
  return k / power === value && Math.abs(k) <= SCALED_MAX && (value !== 0 || 1 / value > 0)
}

/** The smallest d above `decimals` at which `value` scales, or -1. */
function decimalsFor(value: number, decimals: number): number {
  for (let d = decimals + 1; d <= DECIMALS_MAX; d++) {
    const power = POWERS_OF_TEN[d]!
    if (isScaled(value, power, Math.round(value * power))) return d
  }
  return -1
}

/**
 * k for every row of values[0..count) at the smallest d that holds them all (NULL rows repeat the previous k: their
 * slot's content is unspecified to readers, as in segments), into `scaled`, with each delta into `deltas`, their
 * width classes counted in `histogram` and those equal to the first in `sameAsFirst` (one pass: a seal reads each
 * value once here and once to write it); the d, or -1 when no d does.
 */
function scaleAll(values: Float64Array, nulls: Uint8Array | null, count: number): number {
  if (scaled.length < count) {
    scaled = new Float64Array(Math.max(count, 2 * scaled.length))
    deltas = new Float64Array(scaled.length)
  }
  let decimals = 0
  let power = 1
  let previous = 0
  let first = 0
  histogram.fill(0)
  sameAsFirst = 0
  for (let i = 0; i < count; i++) {
    let k = previous
    if (nulls === null || nulls[i] !== 1) {
      const value = values[i]!
      k = (value * power + ROUNDER) - ROUNDER
      if (!isScaled(value, power, k)) {
        decimals = decimalsFor(value, decimals)
        if (decimals < 0) return -1
        // Earlier rows were scaled by a smaller d: scale them all again.
        power = POWERS_OF_TEN[decimals]!
        previous = 0
        histogram.fill(0)
        sameAsFirst = 0
        i = -1
        continue
      }
    }
    scaled[i] = k
    if (i > 0) {
      const delta = deltas[i] = k - previous
      if (i === 1) first = delta
      histogram[widthClassOf(delta)]!++
      if (delta === first) sameAsFirst++
    }
    previous = k
  }
  return decimals
}

/** The narrowest of WIDTHS (by index) that holds `r`, or WIDTHS.length when none does (an exception). */
function widthClassOf(r: number): number {
  if (r === 0) return 0
  if (r >= -0x80 && r < 0x80) return 1
  if (r >= -0x8000 && r < 0x8000) return 2
  return r >= -0x80000000 && r < 0x80000000 ? 3 : 4
}

const WIDTHS = [0, 1, 2, 4] as const

function planOf(decimals: number, width: 0 | 1 | 2 | 4, step: number, exceptionCount: number): NumbersPlan {
  return { mode: PACK_MODES.decimal, decimals, width, first: scaled[0]!, step, exceptionCount }
}

/**
 * The cheapest way to pack values[0..count): decimal deltas at some width (from 0, with exceptions), or every delta
 * but the exceptions equal to the first (a regular timestamp with jumps), or raw. Fills the scratch.
 */
export function planNumbers(values: Float64Array, nulls: Uint8Array | null, count: number): NumbersPlan {
  if (count < 2) return RAW_PLAN
  const decimals = scaleAll(values, nulls, count)
  if (decimals < 0) return RAW_PLAN
  const first = deltas[1]!
  let best = RAW_PLAN
  let bestBytes = 8 * count
  let misses = count - 1
  for (let w = 0; w < WIDTHS.length; w++) {
    misses -= histogram[w]!
    const bytes = WIDTHS[w]! * (count - 1) + EXCEPTION_BYTES * misses + (misses > 0 ? 16 : 0)
    if (bytes < bestBytes) [best, bestBytes] = [planOf(decimals, WIDTHS[w]!, 0, misses), bytes]
  }
  const stepMisses = count - 1 - sameAsFirst
  if (EXCEPTION_BYTES * stepMisses + (stepMisses > 0 ? 16 : 0) < bestBytes) best = planOf(decimals, 0, first, stepMisses)
  return best
}

/** Writes the body of `plan` (from the planNumbers call just before) for values[0..count). */
export function writeNumbers(out: PackWriter, plan: NumbersPlan, values: Float64Array, count: number): void {
  if (plan.mode === PACK_MODES.rawF64) { out.array(values, 8 * count); return }
  const { width, step } = plan
  const widthClass = WIDTHS.indexOf(width)
  const at = out.reserve(width * (count - 1))
  const body = width === 1 ? new Int8Array(out.bytes.buffer, at, count - 1) : width === 2 ? new Int16Array(out.bytes.buffer, at, count - 1)
    : width === 4 ? new Int32Array(out.bytes.buffer, at, count - 1) : null
  const rows = new Uint32Array(plan.exceptionCount)
  const jumps = new Float64Array(plan.exceptionCount)
  let e = 0
  for (let i = 1; i < count; i++) {
    const r = deltas[i]! - step
    if (widthClassOf(r) > widthClass) {
      rows[e] = i
      jumps[e++] = deltas[i]!
    } else if (body !== null) {
      body[i - 1] = r
    }
  }
  assert(e === plan.exceptionCount, 'exceptions as planned')
  if (e > 0) {
    out.array(rows)
    out.array(jumps)
  }
}

/** Values[0..count) of a float column packed at byte `at` of `bytes` (its header's offset). */
export function readNumbers(bytes: Uint8Array, at: number, count: number, bodyAt: number): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const values = new Float64Array(count)
  if (bytes[at] === PACK_MODES.rawF64) {
    new Uint8Array(values.buffer).set(bytes.subarray(bodyAt, bodyAt + 8 * count))
    return values
  }
  const power = POWERS_OF_TEN[bytes[at + 1]!]!
  const width = bytes[at + 2]!
  const exceptionCount = view.getUint32(at + 4, true)
  const step = view.getFloat64(at + 16, true)
  const buffer = bytes.buffer
  const body = width === 1 ? new Int8Array(buffer, bytes.byteOffset + bodyAt, count - 1)
    : width === 2 ? new Int16Array(buffer, bytes.byteOffset + bodyAt, count - 1)
      : width === 4 ? new Int32Array(buffer, bytes.byteOffset + bodyAt, count - 1) : null
  let next = bodyAt + ((width * (count - 1) + 7) & ~7)
  const rows = new Uint32Array(buffer, bytes.byteOffset + next, exceptionCount)
  next += (4 * exceptionCount + 7) & ~7
  const jumps = new Float64Array(buffer, bytes.byteOffset + next, exceptionCount)
  let k = view.getFloat64(at + 8, true)
  values[0] = k / power
  let e = 0
  let nextException = exceptionCount > 0 ? rows[0]! : count
  for (let i = 1; i < count; i++) {
    if (i === nextException) {
      k += jumps[e++]!
      nextException = e < exceptionCount ? rows[e]! : count
    } else {
      k += step + (body === null ? 0 : body[i - 1]!)
    }
    values[i] = k / power
  }
  return values
}
