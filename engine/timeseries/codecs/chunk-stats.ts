// engine/timeseries/codecs/chunk-stats: the per-chunk min/max that scans prune by, computed over non-NULL values.
// Knows nothing of scans or predicates; chunk.ts decides which stats a codec carries.
// ON-DISK FORMAT, append-only (16 bytes in the chunk header); pinned by test/unit/engine/codecs/chunk.test.ts:
//   f64 stats: [f64 min][f64 max]; i64 stats: [i64 min][i64 max]; none: 16 zero bytes (little-endian)
import type { ColumnVector } from '../../batch.js'
import { assertNever } from '../../../src/common/assert.js'
import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'
import { wordView } from './word-view.js'

/**
 * Min and max of a chunk's non-NULL values (NaN ignored). A chunk with no such value has min > max
 * (+Infinity/-Infinity, or int64 max/min), an empty range that overlaps no predicate.
 */
export type ChunkStats =
  | { readonly kind: 'none' }
  | { readonly kind: 'f64'; readonly min: number; readonly max: number }
  | { readonly kind: 'i64'; readonly min: bigint; readonly max: bigint }

export type ChunkStatsKind = ChunkStats['kind']

export const CHUNK_STATS_BYTES = 16

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

export function computeChunkStats(vector: ColumnVector): ChunkStats {
  switch (vector.kind) {
    case 'timestamp': case 'f64': case 'bool': return numberStats(vector.values, vector.nulls)
    case 'i64': return int64Stats(vector.values, vector.nulls)
    case 'symbol': case 'text': return { kind: 'none' }
    default: return assertNever(vector)
  }
}

function numberStats(values: Float64Array | Uint8Array, nulls: Uint8Array | undefined): ChunkStats {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    if (nulls !== undefined && nulls[i] === 1) continue
    const value = values[i]!
    if (Number.isNaN(value)) continue
    // Math.min/max order -0 below +0, so the stats do not depend on which zero came first.
    min = Math.min(min, value)
    max = Math.max(max, value)
  }
  return { kind: 'f64', min, max }
}

/** Compares int64s on their words (signed high, unsigned low), so no BigInt is made per value. */
function int64Stats(values: BigInt64Array, nulls: Uint8Array | undefined): ChunkStats {
  const words = wordView(values)
  let minAt = -1
  let maxAt = -1
  for (let i = 0; i < values.length; i++) {
    if (nulls !== undefined && nulls[i] === 1) continue
    if (minAt < 0) {
      minAt = i
      maxAt = i
      continue
    }
    if (compareInt64(words, i, minAt) < 0) minAt = i
    if (compareInt64(words, i, maxAt) > 0) maxAt = i
  }
  if (minAt < 0) return { kind: 'i64', min: INT64_MAX, max: INT64_MIN }
  return { kind: 'i64', min: values[minAt]!, max: values[maxAt]! }
}

function compareInt64(words: Uint32Array, a: number, b: number): number {
  const highA = words[2 * a + 1]! | 0
  const highB = words[2 * b + 1]! | 0
  if (highA !== highB) return highA - highB
  return words[2 * a]! - words[2 * b]!
}

export function writeChunkStats(out: ByteWriter, stats: ChunkStats): void {
  switch (stats.kind) {
    case 'none':
      out.writeF64(0)
      out.writeF64(0)
      return
    case 'f64':
      out.writeF64(stats.min)
      out.writeF64(stats.max)
      return
    case 'i64':
      out.writeI64(stats.min)
      out.writeI64(stats.max)
      return
    default: assertNever(stats)
  }
}

export function readChunkStats(input: ByteReader, kind: ChunkStatsKind): ChunkStats {
  switch (kind) {
    case 'none':
      input.readBytes(CHUNK_STATS_BYTES)
      return { kind }
    case 'f64': return { kind, min: input.readF64(), max: input.readF64() }
    case 'i64': return { kind, min: input.readI64(), max: input.readI64() }
    default: return assertNever(kind)
  }
}
