// engine/timeseries/codecs/delta-of-delta: timestamp chunks (integer microseconds in a Float64Array), encoded as
// Gorilla-style delta-of-delta bit buckets or zigzag varints, whichever measures smaller for the chunk.
// Knows nothing of segments or files: bytes in, values out.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/delta-of-delta.test.ts:
//   [u8 mode][varuint count] then mode 0: [f64 first][bit buckets (int-buckets.ts) of count-1 deltas-of-deltas];
//   mode 1: [count × f64]; mode 2: [f64 first][varuint zigzag(delta-of-delta) × (count-1)];
//   mode 3: [f64 first][varuint runs][per run: varuint zigzag(delta-of-delta), varuint length ≥ 1] over count-1
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter, varUintBytes } from './byte-writer.js'
import { CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'
import { BUCKET_MAGNITUDE_MAX, bucketedBits, readBucketed, unzigzag, writeBucketed, zigzag } from './int-buckets.js'

/** Payload modes. Append-only: written to disk, pinned by delta-of-delta.test.ts. */
export const DELTA_OF_DELTA_MODES = {
  /** Regular intervals: one bit per repeated interval. Needs every value a safe integer (not -0) and every delta
   * and delta-of-delta within ±(2^52 - 1). */
  buckets: 0,
  /** Anything else (fractions, NaN, -0, spans past 2^52): the raw 8 bytes of each value, bit-exact. */
  raw: 1,
  /** Same domain as buckets; smaller when heavy jitter pushes most values into wide buckets. */
  varint: 2,
  /** Same domain as buckets; smaller when the delta-of-delta repeats in runs (a fixed step: ~0 bits per value). */
  runs: 3,
} as const

/** Appends the encoding of `values` to `out`. Unsorted and repeated timestamps are fine (they just cost bits). */
export function writeDeltaOfDelta(out: ByteWriter, values: Float64Array): void {
  const mode = pickMode(values)
  out.writeU8(mode)
  out.writeVarUint(values.length)
  if (mode === DELTA_OF_DELTA_MODES.raw) {
    out.writeBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    return
  }
  if (values.length === 0) return
  out.writeF64(values[0]!)
  if (mode === DELTA_OF_DELTA_MODES.varint) {
    forEachDeltaOfDelta(values, (deltaOfDelta) => out.writeVarUint(zigzag(deltaOfDelta)))
    return
  }
  if (mode === DELTA_OF_DELTA_MODES.runs) {
    writeRuns(out, values)
    return
  }
  const bits = new BitWriter(out)
  forEachDeltaOfDelta(values, (deltaOfDelta) => writeBucketed(bits, deltaOfDelta))
  bits.flush()
}

/** The smallest mode for `values` (ties go to the older, simpler mode). */
function pickMode(values: Float64Array): number {
  const bucketBits = measureBucketBits(values)
  if (bucketBits < 0) return DELTA_OF_DELTA_MODES.raw
  const varintBytes = measureVarintBytes(values)
  const runBytes = measureRuns(values).bytes
  if (runBytes * 8 < bucketBits && runBytes < varintBytes) return DELTA_OF_DELTA_MODES.runs
  return varintBytes * 8 < bucketBits ? DELTA_OF_DELTA_MODES.varint : DELTA_OF_DELTA_MODES.buckets
}

/** Each run of equal deltas-of-delta (after the first value), in order: its value and its length. */
function forEachRun(values: Float64Array, visit: (deltaOfDelta: number, length: number) => void): void {
  let current = 0
  let length = 0
  forEachDeltaOfDelta(values, (deltaOfDelta) => {
    if (length > 0 && deltaOfDelta === current) {
      length++
      return
    }
    if (length > 0) visit(current, length)
    current = deltaOfDelta
    length = 1
  })
  if (length > 0) visit(current, length)
}

/** Runs of equal deltas-of-delta and the bytes mode 3 spends on them (after the first value). */
function measureRuns(values: Float64Array): { runs: number; bytes: number } {
  let runs = 0
  let bytes = 0
  forEachRun(values, (deltaOfDelta, length) => {
    runs++
    bytes += varUintBytes(zigzag(deltaOfDelta)) + varUintBytes(length)
  })
  return { runs, bytes: bytes + varUintBytes(runs) }
}

/** Mode 3's body: the run count, then each run's zigzagged delta-of-delta and length (one pass: mode 3 has few runs). */
function writeRuns(out: ByteWriter, values: Float64Array): void {
  const runs: number[] = []
  forEachRun(values, (deltaOfDelta, length) => { runs.push(deltaOfDelta, length) })
  out.writeVarUint(runs.length / 2)
  for (let i = 0; i < runs.length; i += 2) {
    out.writeVarUint(zigzag(runs[i]!))
    out.writeVarUint(runs[i + 1]!)
  }
}

/** Bits of the bucket body, or -1 when a value falls outside the integer modes' domain (raw mode then). */
function measureBucketBits(values: Float64Array): number {
  if (values.length === 0) return 0
  if (!isPlainInteger(values[0]!)) return -1
  let bits = 0
  let previousDelta = 0
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!
    if (!isPlainInteger(value)) return -1
    // Both differences are exact: their operands are safe integers and each result is checked to stay within 2^52,
    // which rounding cannot fake (a true difference beyond the bound never rounds back inside it).
    const delta = value - values[i - 1]!
    const deltaOfDelta = delta - previousDelta
    if (Math.abs(delta) > BUCKET_MAGNITUDE_MAX || Math.abs(deltaOfDelta) > BUCKET_MAGNITUDE_MAX) return -1
    bits += bucketedBits(deltaOfDelta)
    previousDelta = delta
  }
  return bits
}

function measureVarintBytes(values: Float64Array): number {
  let bytes = 0
  forEachDeltaOfDelta(values, (deltaOfDelta) => {
    bytes += varUintBytes(zigzag(deltaOfDelta))
  })
  return bytes
}

/** Calls `visit` with each delta-of-delta after the first value; only for values measureBucketBits accepted. */
function forEachDeltaOfDelta(values: Float64Array, visit: (deltaOfDelta: number) => void): void {
  let previousDelta = 0
  for (let i = 1; i < values.length; i++) {
    const delta = values[i]! - values[i - 1]!
    visit(delta - previousDelta)
    previousDelta = delta
  }
}

function isPlainInteger(value: number): boolean {
  return Number.isSafeInteger(value) && !(value === 0 && 1 / value < 0)
}

/** Encodes `values` into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeDeltaOfDelta(values: Float64Array, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeDeltaOfDelta(scratch, values)
  return scratch.toBytes()
}

/** Reads one encoding written by writeDeltaOfDelta from `input`'s cursor. */
export function readDeltaOfDelta(input: ByteReader): Float64Array {
  const modeAt = input.pos
  const mode = input.readU8()
  const count = input.readVarUintAtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  switch (mode) {
    case DELTA_OF_DELTA_MODES.buckets: return readIntegers(input, count, 1 / 8, readBucketsInto)
    case DELTA_OF_DELTA_MODES.varint: return readIntegers(input, count, 1, readVarintsInto)
    case DELTA_OF_DELTA_MODES.runs: return readIntegers(input, count, 0, readRunsInto)
    case DELTA_OF_DELTA_MODES.raw: {
      input.need(count * 8)
      const values = new Float64Array(count)
      new Uint8Array(values.buffer).set(input.readBytes(count * 8))
      return values
    }
    default: return input.failAt(modeAt, `unknown delta-of-delta mode ${mode}`)
  }
}

type BodyReader = (input: ByteReader, values: Float64Array) => void

/** Shared by the integer modes: first value, bounded allocation, the body, then a range check on the result. */
function readIntegers(input: ByteReader, count: number, bytesPerValueMin: number, readBody: BodyReader): Float64Array {
  if (count === 0) return new Float64Array(0)
  const first = input.readF64()
  // Each later value takes at least bytesPerValueMin: a larger count is corrupt; checking bounds the allocation.
  if ((count - 1) * bytesPerValueMin > input.remaining) input.fail(`count ${count} beyond the bytes left`)
  const values = new Float64Array(count)
  values[0] = first
  readBody(input, values)
  for (let i = 0; i < count; i++) if (!Number.isSafeInteger(values[i]!)) input.fail('timestamp beyond 2^53')
  return values
}

function readBucketsInto(input: ByteReader, values: Float64Array): void {
  const bits = new BitReader(input)
  let previous = values[0]!
  let delta = 0
  for (let i = 1; i < values.length; i++) {
    delta += readBucketed(bits)
    previous += delta
    values[i] = previous
  }
  bits.finish()
}

function readVarintsInto(input: ByteReader, values: Float64Array): void {
  let previous = values[0]!
  let delta = 0
  for (let i = 1; i < values.length; i++) {
    delta += unzigzag(input.readVarUint())
    previous += delta
    values[i] = previous
  }
}

function readRunsInto(input: ByteReader, values: Float64Array): void {
  const runs = input.readVarUintAtMost(values.length - 1, 'run count')
  let previous = values[0]!
  let delta = 0
  let i = 1
  for (let r = 0; r < runs; r++) {
    const deltaOfDelta = unzigzag(input.readVarUint())
    const length = input.readVarUintAtMost(values.length - i, 'run length')
    if (length === 0) input.fail('empty run')
    for (const end = i + length; i < end; i++) {
      delta += deltaOfDelta
      previous += delta
      values[i] = previous
    }
  }
  if (i !== values.length) input.fail(`runs cover ${i - 1} of ${values.length - 1} deltas-of-delta`)
}

/** Decodes bytes produced by encodeDeltaOfDelta; throws ChunkCorruptError on anything else (including trailing bytes). */
export function decodeDeltaOfDelta(bytes: Uint8Array): Float64Array {
  const input = new ByteReader(bytes)
  const values = readDeltaOfDelta(input)
  input.expectEnd()
  return values
}
