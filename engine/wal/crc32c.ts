// engine/wal/crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for WAL records and segment chunks,
// slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per step, read as two aligned words (≈ 4× the byte-at-a-time loop, which
// was ~6% of the event loop under ILP ingest). Pinned by crc32c("123456789") = 0xE3069283 and by a comparison with
// the byte-at-a-time reference (test/unit/engine/crc32c.test.ts). Knows nothing of records.

const POLYNOMIAL = 0x82f63b78

function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256))
  const first = tables[0]!
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1
    first[i] = c >>> 0
  }
  for (let i = 0; i < 256; i++) {
    let c = first[i]!
    for (let t = 1; t < 8; t++) {
      c = (first[c & 0xff]! ^ (c >>> 8)) >>> 0
      tables[t]![i] = c
    }
  }
  return tables
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [Uint32Array, Uint32Array, Uint32Array, Uint32Array,
  Uint32Array, Uint32Array, Uint32Array, Uint32Array]

/** Word loads read bytes in memory order as the low bits first only on a little-endian host (all Node targets). */
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
/** Below this many bytes the aligned word loop is not worth its setup (a view over the range). */
const WORD_LOOP_BYTES_MIN = 64

/**
 * CRC32C of bytes[from, to), continuing from `seed` (a previous result) when given. Unsigned 32-bit result. Long
 * ranges are read as aligned 32-bit words, two per slicing-by-8 step (issue 10: eight byte loads and shifts per step
 * made the CRC 13% of the event loop at a COPY's commit). Each loop is a function of its own: in one function, the
 * loops a call did not run yet lack type feedback, so TurboFan's code deoptimized at the end of every large call and
 * the next one ran its word loop unoptimized again (a WAL record's CRC ran at ~100 MB/s that way).
 */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length, seed = 0): number {
  let crc = (seed ^ 0xffffffff) | 0
  let i = from
  if (IS_LITTLE_ENDIAN && to - from >= WORD_LOOP_BYTES_MIN) {
    const lead = (4 - ((bytes.byteOffset + i) & 3)) & 3
    crc = crcBytes(crc, bytes, i, i + lead)
    i += lead
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, ((to - i) >>> 3) << 1)
    // Blocks of WORD_BLOCK_COUNT words, one call each: many short calls get crcWords optimized as a whole function
    // early, where one call per record ran its loop through on-stack replacement every time.
    for (let w = 0; w < words.length; w += WORD_BLOCK_COUNT) crc = crcWords(crc, words, w, Math.min(words.length, w + WORD_BLOCK_COUNT))
    i += words.length * 4
  }
  return (crcSliced(crc, bytes, i, to) ^ 0xffffffff) >>> 0
}

/** Words per crcWords call (16 KiB). */
const WORD_BLOCK_COUNT = 4096

/** Two little-endian words per step, words[from, to) (an even count); int32 arithmetic only. */
function crcWords(start: number, words: Uint32Array, from: number, to: number): number {
  let crc = start | 0
  for (let w = from; w < to; w += 2) {
    const low = crc ^ words[w]!
    const high = words[w + 1]! | 0
    crc = T7[low & 0xff]! ^ T6[(low >>> 8) & 0xff]! ^ T5[(low >>> 16) & 0xff]! ^ T4[low >>> 24]! ^
      T3[high & 0xff]! ^ T2[(high >>> 8) & 0xff]! ^ T1[(high >>> 16) & 0xff]! ^ T0[high >>> 24]!
  }
  return crc
}

/** Eight bytes per step, then the rest byte by byte. */
function crcSliced(start: number, bytes: Uint8Array, from: number, to: number): number {
  let crc = start | 0
  let i = from
  const end8 = to - 7
  for (; i < end8; i += 8) {
    const low = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0
    crc = T7[low & 0xff]! ^ T6[(low >>> 8) & 0xff]! ^ T5[(low >>> 16) & 0xff]! ^ T4[low >>> 24]! ^
      T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!
  }
  return crcBytes(crc, bytes, i, to)
}

function crcBytes(start: number, bytes: Uint8Array, from: number, to: number): number {
  let crc = start | 0
  for (let i = from; i < to; i++) crc = T0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return crc
}

/** The byte-at-a-time definition, kept as the reference the fast loop is tested against. */
export function crc32cReference(bytes: Uint8Array, from = 0, to = bytes.length, seed = 0): number {
  let crc = (seed ^ 0xffffffff) >>> 0
  for (let i = from; i < to; i++) crc = T0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
